import { diffLines } from "./diff-lines.js";
import type { FieldLocation, Located } from "./located.js";
import { lookupRefusal, refuse } from "./refusal.js";
import { selectDocument } from "./select-document.js";
import {
  eolAt,
  formatPath,
  lookup,
  mapLayout,
  parseYaml,
  renderString,
  rootLayout,
  splice,
  toData,
} from "./yaml.js";
import type { PathStep, YamlDoc } from "./yaml.js";
import type { EditResult, ManifestTarget, ReadResult, Refusal } from "./types.js";

/** The pod-template annotation a GitOps restart sets (SPEC §3.2 `kind: restart`). */
export const RESTART_ANNOTATION = "remedy.dev/restarted-at";
export const DEFAULT_RESTART_KEY = "podAnnotations";

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/**
 * The map that holds the annotation: Helm's `restart_key` (pod annotations the chart templates into
 * the pod), Kustomize's `commonAnnotations` (which kustomize also puts on every pod template).
 */
export function restartMapPath(target: ManifestTarget): string[] {
  return target.kind === "helm"
    ? (target.restartKey ?? DEFAULT_RESTART_KEY).split(".")
    : ["commonAnnotations"];
}

export function restartPath(target: ManifestTarget): PathStep[] {
  return [...restartMapPath(target), RESTART_ANNOTATION];
}

/** Finds the annotation's scalar; `missing` when the file has no such annotation yet. */
export function locateRestart(text: string, ydoc: YamlDoc, target: ManifestTarget): Located {
  const path = restartPath(target);
  const found = lookup(ydoc, path, text);
  if (!found.found) return lookupRefusal(target.file, formatPath(path), found);
  const scalar = found.scalar;
  const value = typeof scalar.value === "string" ? scalar.value : scalar.source;
  return {
    ok: true,
    at: { ydoc, path, label: formatPath(path), scalar, form: "timestamp", value },
  };
}

/** The annotation's value; "" when it is not set yet (the first restart adds it). */
export function readRestart(text: string, target: ManifestTarget): ReadResult {
  const selected = selectDocument(text, target);
  if (!selected.ok) return selected;
  const located = locateRestart(text, selected.ydoc, target);
  if (located.ok)
    return { ok: true, value: located.at.value, form: "timestamp", line: located.at.scalar.line };
  const found = lookup(selected.ydoc, restartPath(target), text);
  if (!found.found && found.why === "missing") return { ok: true, value: "", form: "timestamp", line: 0 };
  return { ok: false, code: located.code, reason: located.reason };
}

/**
 * Sets the annotation to `value` (an ISO instant) without touching anything else: its value is
 * replaced when present, one line is added to an existing block map, `{}` becomes a one-entry flow
 * map, and a kustomization without `commonAnnotations` gets that block appended. A Helm values file
 * whose `restart_key` does not exist is refused: the chart would not template a key Remedy invents.
 */
export function editRestart(text: string, target: ManifestTarget, value: string): EditResult {
  const file = target.file;
  if (!INSTANT.test(value))
    return refuse(
      "invalid-value",
      `${file}: ${JSON.stringify(value)} is not a restart time; expected an ISO instant such as 2026-11-21T10:00:00Z.`,
    );
  const selected = selectDocument(text, target);
  if (!selected.ok) return selected;
  const ydoc = selected.ydoc;
  const current = locateRestart(text, ydoc, target);
  let change: Change | Refusal;
  if (current.ok) change = replaceRestart(text, current.at, file, value);
  else if (current.code !== "missing" || !/does not exist/.test(current.reason)) return current;
  else change = addRestart(text, ydoc, target, value);
  if (!change.ok) return change;
  const check = checkRestartEdit(text, change.edited, target, ydoc.index, value);
  if (check !== null) return check;
  return {
    ok: true,
    before: { value: change.before, form: "timestamp", line: change.line },
    after: value,
    text: change.edited,
  };
}

/** The edited text, the annotation's value before (`""` when added) and its line. */
interface Change {
  ok: true;
  edited: string;
  before: string;
  line: number;
}

/** Replaces the annotation's one-line value, keeping its quote style. */
function replaceRestart(text: string, at: FieldLocation, file: string, value: string): Change | Refusal {
  const { scalar, label } = at;
  if (scalar.style === "block" || scalar.raw.includes("\n"))
    return refuse(
      "invalid-value",
      `${file}: ${label} is written over several lines; put it on one line so Remedy can change it.`,
    );
  if (at.value === value)
    return refuse("unchanged", `${file}: ${label} is already ${value}; nothing to change.`);
  const style = scalar.style === "single" ? "single" : "double";
  const edited = splice(text, scalar.start, scalar.end, renderString(value, style));
  return { ok: true, edited, before: at.value, line: scalar.line };
}

/** Adds the annotation to its map: one line in a block map, `{}` filled, or a new `commonAnnotations`. */
function addRestart(text: string, ydoc: YamlDoc, target: ManifestTarget, value: string): Change | Refusal {
  const file = target.file;
  const mapPath = restartMapPath(target);
  // Quoted: a plain instant is a timestamp to YAML 1.1 readers such as Helm.
  const entry = `${RESTART_ANNOTATION}: ${JSON.stringify(value)}`;
  const layout = mapLayout(ydoc, mapPath, text);
  let edited: string | Refusal;
  if (layout.kind === "block") {
    const eol = eolAt(text, layout.insertAt);
    edited = splice(text, layout.insertAt, layout.insertAt, `${eol}${layout.keyIndent}${entry}`);
  } else if (layout.kind === "empty-flow") {
    edited = splice(text, layout.start, layout.end, `{ ${entry} }`);
  } else if (layout.kind === "missing" && target.kind === "kustomize") {
    edited = appendCommonAnnotations(text, ydoc, file, entry);
  } else if (layout.kind === "missing") {
    return refuse(
      "missing",
      `${file}: ${formatPath(mapPath)} does not exist, so there is no pod annotations map to restart through; Remedy never creates keys. Add \`${formatPath(mapPath)}: {}\` to the values file (templated into the pod's annotations) or set restart_key in .github/remedy.yml.`,
    );
  } else {
    return refuse(
      "invalid-value",
      `${file}: the restart annotation cannot be added to ${formatPath(mapPath)}: ${layout.why}. Write it as a block map.`,
    );
  }
  if (typeof edited !== "string") return edited;
  const reread = parseYaml(edited);
  const at = reread.ok ? lookup(reread.docs[ydoc.index] as YamlDoc, restartPath(target), edited) : null;
  return { ok: true, edited, before: "", line: at?.found === true ? at.scalar.line : 0 };
}

/** A kustomization without `commonAnnotations` gets that block, at the root map's end. */
function appendCommonAnnotations(text: string, ydoc: YamlDoc, file: string, entry: string): string | Refusal {
  const root = rootLayout(ydoc, text);
  if (root.kind === "unsupported")
    return refuse(
      "missing",
      `${file}: has no commonAnnotations and ${root.why}; add commonAnnotations by hand.`,
    );
  const eol = eolAt(text, root.insertAt);
  const lines = [`${root.keyIndent}commonAnnotations:`, `${root.keyIndent}  ${entry}`];
  if (!root.atEndOfText) return splice(text, root.insertAt, root.insertAt, eol + lines.join(eol));
  const separator = text === "" || text.endsWith("\n") ? "" : eol;
  return text + separator + lines.join(eol) + eol;
}

/** Re-reads the edit: the annotation reads back, nothing else in the data changed, no line was lost. */
function checkRestartEdit(
  before: string,
  after: string,
  target: ManifestTarget,
  index: number,
  value: string,
): Refusal | null {
  const failed = (what: string): Refusal =>
    refuse(
      "invalid-value",
      `${target.file}: the restart annotation was not added because ${what}; please report this with the file.`,
    );
  const oldParsed = parseYaml(before);
  const newParsed = parseYaml(after);
  if (!oldParsed.ok || !newParsed.ok) return failed("the edited file does not parse");
  const ydoc = newParsed.docs[index];
  if (ydoc === undefined) return failed("the edited document is gone");
  const reread = locateRestart(after, ydoc, target);
  if (!reread.ok || reread.at.value !== value || reread.at.scalar.value !== value)
    return failed("the annotation does not read back");
  const wanted = oldParsed.docs.map((d) => toData(d));
  setIn(wanted, [index, ...restartMapPath(target)], value);
  if (JSON.stringify(newParsed.docs.map((d) => toData(d))) !== JSON.stringify(wanted))
    return failed("other values in the file would change");
  const oldLines = before.split(/\r?\n/);
  const newLines = after.split(/\r?\n/);
  const removed = diffLines(oldLines, newLines).filter((op) => op.op === "-").length;
  if (removed > 1 || (removed === 1 && newLines.length !== oldLines.length))
    return failed("the change touches more than one existing line");
  return null;
}

function setIn(root: unknown[], path: ReadonlyArray<string | number>, value: string): void {
  let node: Record<string | number, unknown> = root as unknown as Record<number, unknown>;
  for (const step of path) {
    const next = node[step];
    if (next === null || typeof next !== "object") node[step] = {};
    node = node[step] as Record<string | number, unknown>;
  }
  node[RESTART_ANNOTATION] = value;
}

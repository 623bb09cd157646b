import { diffLines } from "./diff-lines.js";
import { locateField } from "./locate-field.js";
import type { FieldLocation } from "./located.js";
import { refuse } from "./refusal.js";
import { parseYaml, toData } from "./yaml.js";
import type { PathStep } from "./yaml.js";
import type { Field, ManifestTarget, Refusal } from "./types.js";

export type EditCheck = { ok: true; at: FieldLocation } | Refusal;

/**
 * Re-reads an edited text and proves the edit did only what was meant: the field reads back the new
 * value at the same path with the same form, every other value in every document is unchanged, and
 * the line diff is exactly the target line (`changedLine`) or, for an added entry, added lines only.
 */
export function checkEdit(
  before: string,
  after: string,
  target: ManifestTarget,
  field: Field,
  expected: { path: readonly PathStep[]; form: FieldLocation["form"]; value: string },
  change: { changedLine: number } | { addedEntry: { name: string; count: number } },
): EditCheck {
  const file = target.file;
  const failed = (what: string): Refusal =>
    refuse(
      "invalid-value",
      `${file}: the edit of ${field} was not applied because ${what}; please report this with the file.`,
    );

  const reread = locateField(after, target, field);
  if (!reread.ok) return failed(`the edited file does not read back (${reread.reason})`);
  const at = reread.at;
  if (
    JSON.stringify(at.path) !== JSON.stringify(expected.path) ||
    at.form !== expected.form ||
    at.value !== expected.value
  ) {
    return failed(`${at.label} reads back as ${at.form} ${JSON.stringify(at.value)}`);
  }
  const typed = at.scalar.value;
  if (expected.form === "count" ? typed !== Number(expected.value) : typed !== expected.value) {
    return failed(`${at.label} would be read as ${JSON.stringify(typed)}, not ${expected.value}`);
  }

  const oldLines = before.split(/\r?\n/);
  const newLines = after.split(/\r?\n/);
  if ("changedLine" in change) {
    const differing =
      newLines.length === oldLines.length
        ? oldLines.flatMap((line, i) => (line === newLines[i] ? [] : [i + 1]))
        : null;
    if (differing === null || differing.length !== 1 || differing[0] !== change.changedLine) {
      return failed(`the change touches more than line ${change.changedLine}`);
    }
  } else if (diffLines(oldLines, newLines).some((op) => op.op === "-")) {
    return failed("adding the replicas entry would change existing lines");
  }

  const oldData = allData(before);
  const newData = allData(after);
  if (oldData === undefined || newData === undefined) return failed("the edited file does not parse");
  const wanted =
    "changedLine" in change
      ? withValue(
          oldData,
          at.ydoc.index,
          expected.path,
          expected.form === "count" ? Number(expected.value) : expected.value,
        )
      : withReplicasEntry(oldData, at.ydoc.index, change.addedEntry);
  if (JSON.stringify(newData) !== JSON.stringify(wanted))
    return failed("other values in the file would change");
  return { ok: true, at };
}

function allData(text: string): unknown[] | undefined {
  const parsed = parseYaml(text);
  if (!parsed.ok) return undefined;
  try {
    return parsed.docs.map(toData);
  } catch {
    return undefined;
  }
}

function withValue(docs: unknown[], index: number, path: readonly PathStep[], value: unknown): unknown[] {
  const copy = structuredClone(docs);
  let container: unknown = copy;
  let slot: string | number = index;
  for (const step of path) {
    const node = childOf(container, slot);
    container = node;
    if (typeof step === "string") slot = step;
    else if (Array.isArray(node))
      slot = node.findIndex((item) => String(childOf(item, step.key)) === step.equals);
    else return copy;
  }
  if (container !== null && typeof container === "object")
    (container as Record<string | number, unknown>)[slot] = value;
  return copy;
}

function childOf(node: unknown, slot: string | number): unknown {
  return node !== null && typeof node === "object"
    ? (node as Record<string | number, unknown>)[slot]
    : undefined;
}

function withReplicasEntry(
  docs: unknown[],
  index: number,
  entry: { name: string; count: number },
): unknown[] {
  const copy = structuredClone(docs);
  const root = copy[index];
  if (root === null || typeof root !== "object" || Array.isArray(root)) return copy;
  const doc = root as Record<string, unknown>;
  const list = doc["replicas"];
  if (Array.isArray(list)) list.push(entry);
  else doc["replicas"] = [entry];
  return copy;
}

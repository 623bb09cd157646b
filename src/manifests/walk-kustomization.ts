import { posix } from "node:path";
import { selectDocument } from "./select-document.js";
import { parseYaml, toData } from "./yaml.js";
import type { YamlDoc } from "./yaml.js";
import type { ReadFile } from "./types.js";

// Deep enough for base → component → overlay chains; a bound stops cycles that path tricks could hide.
const MAX_DEPTH = 8;
const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const REFERENCE_KEYS = ["resources", "components", "bases"];

export interface VisitedKustomization {
  file: string;
  text: string;
  ydoc: YamlDoc;
  /** The data of the kustomization document, for reading lists such as `patches`. */
  data: Record<string, unknown>;
  root: boolean;
}

export interface VisitedDocument {
  file: string;
  text: string;
  ydoc: YamlDoc;
  data: unknown;
}

export interface KustomizationVisitor {
  /** Return false to skip this kustomization's resources. */
  kustomization?(node: VisitedKustomization): boolean | void;
  document?(node: VisitedDocument): void;
}

/**
 * Visits a kustomization and what it builds from: the files and kustomization directories named in
 * `resources`, `components` and `bases`, resolved against the kustomization's directory, recursively.
 * Remote resources, paths leaving the repository, unreadable or invalid files are not visited; each
 * is returned as a note so callers can say what they could not check.
 */
export async function walkKustomization(
  file: string,
  readFile: ReadFile,
  visitor: KustomizationVisitor,
): Promise<string[]> {
  const notes: string[] = [];
  const seen = new Set<string>();

  // A file reached twice (two bases sharing it) is one set of objects, not two.
  const visitFile = async (path: string, text: string): Promise<void> => {
    if (seen.has(path)) return;
    seen.add(path);
    const parsed = parseYaml(text);
    if (!parsed.ok) {
      notes.push(`${path} is not valid YAML (${parsed.message})`);
      return;
    }
    for (const ydoc of parsed.docs) {
      let data: unknown;
      try {
        data = toData(ydoc);
      } catch (cause) {
        // Too many aliases (a "billion laughs" file): skip it rather than expand it.
        notes.push(`${path} could not be read (${cause instanceof Error ? cause.message : String(cause)})`);
        continue;
      }
      visitor.document?.({ file: path, text, ydoc, data });
    }
  };

  const visitKustomization = async (path: string, depth: number, preloaded?: string): Promise<void> => {
    if (seen.has(path)) return;
    seen.add(path);
    if (depth > MAX_DEPTH) {
      notes.push(`${path} is nested more than ${MAX_DEPTH} levels deep`);
      return;
    }
    const text = preloaded ?? (await readFile(path));
    if (text === null) {
      notes.push(`${path} could not be read`);
      return;
    }
    const selected = selectDocument(text, { file: path, kind: "kustomize" });
    if (!selected.ok) {
      notes.push(selected.reason);
      return;
    }
    let raw: unknown;
    try {
      raw = toData(selected.ydoc);
    } catch (cause) {
      notes.push(`${path} could not be read (${cause instanceof Error ? cause.message : String(cause)})`);
      return;
    }
    const data =
      raw !== null && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    if (visitor.kustomization?.({ file: path, text, ydoc: selected.ydoc, data, root: depth === 0 }) === false)
      return;

    const dir = posix.dirname(path);
    for (const entry of REFERENCE_KEYS.flatMap((key) => stringsIn(data[key]))) {
      if (isRemote(entry)) {
        notes.push(`${path}: remote base ${entry} not checked`);
        continue;
      }
      const target = posix.normalize(posix.join(dir, entry));
      if (posix.isAbsolute(entry) || target === ".." || target.startsWith("../")) {
        notes.push(`${path}: resource ${entry} is outside the repository and was not checked`);
        continue;
      }
      if (/\.(ya?ml|json)$/i.test(target)) {
        const content = await readFile(target);
        if (content === null) notes.push(`${path}: resource ${entry} (${target}) could not be read`);
        else await visitFile(target, content);
        continue;
      }
      let found = false;
      for (const name of KUSTOMIZATION_FILES) {
        const candidate = posix.join(target, name);
        if (seen.has(candidate)) {
          found = true;
          break;
        }
        const content = await readFile(candidate);
        if (content !== null) {
          await visitKustomization(candidate, depth + 1, content);
          found = true;
          break;
        }
      }
      if (found) continue;
      const content = await readFile(target);
      if (content === null)
        notes.push(
          `${path}: resource ${entry} (${target}) is neither a file nor a directory with a kustomization`,
        );
      else await visitFile(target, content);
    }
  };

  await visitKustomization(posix.normalize(file), 0);
  return notes;
}

export function stringsIn(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function isRemote(entry: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ||
    entry.startsWith("git@") ||
    entry.startsWith("github.com/") ||
    entry.includes("?ref=")
  );
}

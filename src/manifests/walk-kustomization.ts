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
  const walk = new KustomizationWalk(readFile, visitor);
  await walk.kustomization(posix.normalize(file), 0);
  return walk.notes;
}

/** One walk's state: what it has seen (each file once) and the notes on what it could not check. */
class KustomizationWalk {
  readonly notes: string[] = [];
  readonly #seen = new Set<string>();

  constructor(
    private readonly readFile: ReadFile,
    private readonly visitor: KustomizationVisitor,
  ) {}

  /** Marks a path seen; false when it already was. */
  #first(path: string): boolean {
    if (this.#seen.has(path)) return false;
    this.#seen.add(path);
    return true;
  }

  // A file reached twice (two bases sharing it) is one set of objects, not two.
  file(path: string, text: string): void {
    if (!this.#first(path)) return;
    const parsed = parseYaml(text);
    if (!parsed.ok) {
      this.notes.push(`${path} is not valid YAML (${parsed.message})`);
      return;
    }
    for (const ydoc of parsed.docs) {
      // Too many aliases (a "billion laughs" file): skip it rather than expand it.
      const data = this.#toData(path, ydoc);
      if (data.ok) this.visitor.document?.({ file: path, text, ydoc, data: data.value });
    }
  }

  async kustomization(path: string, depth: number, preloaded?: string): Promise<void> {
    if (!this.#first(path)) return;
    if (depth > MAX_DEPTH) {
      this.notes.push(`${path} is nested more than ${MAX_DEPTH} levels deep`);
      return;
    }
    const text = preloaded ?? (await this.readFile(path));
    if (text === null) {
      this.notes.push(`${path} could not be read`);
      return;
    }
    const selected = selectDocument(text, { file: path, kind: "kustomize" });
    if (!selected.ok) {
      this.notes.push(selected.reason);
      return;
    }
    const raw = this.#toData(path, selected.ydoc);
    if (!raw.ok) return;
    const data = isRecord(raw.value) ? raw.value : {};
    const node = { file: path, text, ydoc: selected.ydoc, data, root: depth === 0 };
    if (this.visitor.kustomization?.(node) === false) return;
    for (const entry of REFERENCE_KEYS.flatMap((key) => stringsIn(data[key])))
      await this.#reference(path, entry, depth);
  }

  #toData(path: string, ydoc: YamlDoc): { ok: true; value: unknown } | { ok: false } {
    try {
      return { ok: true, value: toData(ydoc) };
    } catch (cause) {
      this.notes.push(
        `${path} could not be read (${cause instanceof Error ? cause.message : String(cause)})`,
      );
      return { ok: false };
    }
  }

  /** One entry of `resources`, `components` or `bases`: a file, a kustomization directory, or a note. */
  async #reference(path: string, entry: string, depth: number): Promise<void> {
    if (isRemote(entry)) {
      this.notes.push(`${path}: remote base ${entry} not checked`);
      return;
    }
    const target = posix.normalize(posix.join(posix.dirname(path), entry));
    if (posix.isAbsolute(entry) || target === ".." || target.startsWith("../")) {
      this.notes.push(`${path}: resource ${entry} is outside the repository and was not checked`);
      return;
    }
    if (/\.(ya?ml|json)$/i.test(target)) {
      const content = await this.readFile(target);
      if (content === null) this.notes.push(`${path}: resource ${entry} (${target}) could not be read`);
      else this.file(target, content);
      return;
    }
    if (await this.#directory(target, depth)) return;
    const content = await this.readFile(target);
    if (content === null)
      this.notes.push(
        `${path}: resource ${entry} (${target}) is neither a file nor a directory with a kustomization`,
      );
    else this.file(target, content);
  }

  /** Walks the kustomization in directory `target`; false when it has none. */
  async #directory(target: string, depth: number): Promise<boolean> {
    for (const name of KUSTOMIZATION_FILES) {
      const candidate = posix.join(target, name);
      if (this.#seen.has(candidate)) return true;
      const content = await this.readFile(candidate);
      if (content !== null) {
        await this.kustomization(candidate, depth + 1, content);
        return true;
      }
    }
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
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

/**
 * The one YAML door for manifests. Every other file in src/manifests works through these helpers, so
 * the rules that keep edits safe live in one place: parse errors are never ignored, aliases and merge
 * keys are seen rather than silently resolved, and an edit is a splice of one scalar's text into the
 * original string, never a load-and-dump (which would reformat the file and lose comments).
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument, visit } from "yaml";
import type { Document, Node, Pair, Scalar } from "yaml";

/** One parsed, non-empty document. Other modules pass it back to these helpers; only they read `doc`. */
export interface YamlDoc {
  /** Position among the non-empty documents of the stream. */
  readonly index: number;
  /** True when this document is the last one in the stream (appends can then go at the end of the text). */
  readonly last: boolean;
  readonly doc: Document.Parsed;
  /** Anchors that some alias in this document refers to; editing under them would change the alias too. */
  readonly aliased: ReadonlySet<string>;
}

export type ParsedYaml =
  { ok: true; docs: YamlDoc[] } | { ok: false; line: number | undefined; message: string };

/**
 * Parses every document of a stream. Any error in any document fails the whole text: a file we cannot
 * read completely is a file we must not edit. Merge keys stay off (YAML 1.2), so `<<` shows up as an
 * ordinary key and lookups can refuse it instead of missing a value it provides.
 */
export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  // The parser's own unique-keys check compares each key with every earlier one (quadratic: a
  // 0.9 MB values file took half a minute); duplicateKey does the same check in one pass.
  const stream = parseAllDocuments(text, { uniqueKeys: false, lineCounter });
  const all = Array.isArray(stream) ? stream : [];
  for (const doc of all) {
    const error = doc.errors[0];
    if (error !== undefined) {
      return { ok: false, line: error.linePos?.[0]?.line, message: firstLine(error.message) };
    }
    const duplicate = duplicateKey(doc);
    if (duplicate !== null) {
      return {
        ok: false,
        line: lineCounter.linePos(duplicate.offset).line,
        message: `map keys must be unique, and ${JSON.stringify(duplicate.key)} appears again in the same map`,
      };
    }
  }
  const nonEmpty = all.filter((doc) => !isEmptyContents(doc.contents));
  const docs = nonEmpty.map((doc, index) => ({
    index,
    last: index === nonEmpty.length - 1,
    doc,
    aliased: aliasedAnchors(doc),
  }));
  return { ok: true, docs };
}

/**
 * The first key repeated within one map, with the offset of its repetition. Keys are equal as the
 * parser's own check defines it: scalars by value, anything else (a collection, an alias) only when
 * it is the same node. One set per map, so the cost grows with the file, not with its square.
 */
function duplicateKey(doc: Document.Parsed): { key: string; offset: number } | null {
  let found: { key: string; offset: number } | null = null;
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key: unknown = pair.key;
        const identity = isScalar(key) ? key.value : key;
        if (seen.has(identity)) {
          found = {
            key: isScalar(key) ? String(key.value) : String(key),
            offset: (key as Node).range?.[0] ?? 0,
          };
          return visit.BREAK;
        }
        seen.add(identity);
      }
      return undefined;
    },
  });
  return found;
}

function isEmptyContents(node: unknown): boolean {
  return node === null || (isScalar(node) && node.value === null && (node as Scalar.Parsed).source === "");
}

function aliasedAnchors(doc: Document.Parsed): Set<string> {
  const names = new Set<string>();
  visit(doc, {
    Alias(_key, node) {
      names.add(node.source);
    },
  });
  return names;
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/:\s*$/, "");
}

/** A step in a path: a map key, or the one item of a list whose `key` scalar equals `equals`. */
export type PathStep = string | { key: string; equals: string };

export function formatPath(path: readonly PathStep[]): string {
  let out = "";
  for (const step of path) {
    if (typeof step === "string") out += out === "" ? step : `.${step}`;
    else out += `[${step.key}=${step.equals}]`;
  }
  return out === "" ? "(document root)" : out;
}

export type ScalarStyle = "plain" | "double" | "single" | "block";

export interface ScalarRef {
  /** The value as YAML 1.2 types it (a plain `1.10` is the number 1.1 here). */
  value: unknown;
  /** The scalar's text exactly as written, quotes included. */
  raw: string;
  /** For quoted scalars the unquoted string; for plain ones the text as written (`1.10` stays "1.10"). */
  source: string;
  style: ScalarStyle;
  start: number;
  end: number;
  /** 1-based line of the scalar's first character. */
  line: number;
}

export type LookupFailure =
  | { found: false; why: "missing"; at: readonly PathStep[] }
  | { found: false; why: "no-value"; at: readonly PathStep[] }
  | { found: false; why: "alias"; at: readonly PathStep[]; detail: string }
  | { found: false; why: "merge"; at: readonly PathStep[] }
  | { found: false; why: "not-a-map" | "not-a-list" | "not-a-scalar"; at: readonly PathStep[] }
  | { found: false; why: "ambiguous"; at: readonly PathStep[]; count: number };

export type Lookup = { found: true; scalar: ScalarRef } | LookupFailure;

/**
 * Walks `path` from the document root to a scalar. Unlike `getIn`, it says why a value cannot be
 * reached: an alias on the way (`getIn` would return undefined), a `<<` merge that may provide the key,
 * a node anchored and aliased elsewhere (an edit would silently change the alias too), or a missing key.
 */
export function lookup(ydoc: YamlDoc, path: readonly PathStep[], text: string): Lookup {
  let node: unknown = ydoc.doc.contents;
  for (let i = 0; i < path.length; i++) {
    const step = path[i] as PathStep;
    const here = path.slice(0, i);
    const blocked = aliasBlock(node, ydoc, here);
    if (blocked !== undefined) return blocked;
    if (typeof step === "string") {
      if (!isMap(node)) return { found: false, why: "not-a-map", at: here };
      const pair = node.items.find((item) => keyText(item) === step);
      if (pair === undefined) {
        const merges = node.items.some((item) => keyText(item) === "<<");
        return { found: false, why: merges ? "merge" : "missing", at: path.slice(0, i + 1) };
      }
      node = pair.value;
    } else {
      if (!isSeq(node)) return { found: false, why: "not-a-list", at: here };
      const matches: unknown[] = [];
      for (const item of node.items) {
        if (isAlias(item)) {
          return {
            found: false,
            why: "alias",
            at: here,
            detail: `an item of the list is an alias (*${item.source})`,
          };
        }
        if (!isMap(item)) continue;
        const pair = item.items.find((p) => keyText(p) === step.key);
        if (pair === undefined) {
          if (item.items.some((p) => keyText(p) === "<<"))
            return { found: false, why: "merge", at: path.slice(0, i + 1) };
          continue;
        }
        if (isAlias(pair.value)) {
          return {
            found: false,
            why: "alias",
            at: here,
            detail: `a ${step.key} in the list is an alias (*${pair.value.source})`,
          };
        }
        if (isScalar(pair.value) && scalarText(pair.value) === step.equals) matches.push(item);
      }
      if (matches.length === 0) return { found: false, why: "missing", at: path.slice(0, i + 1) };
      if (matches.length > 1)
        return { found: false, why: "ambiguous", at: path.slice(0, i + 1), count: matches.length };
      node = matches[0];
    }
  }
  const blocked = aliasBlock(node, ydoc, path);
  if (blocked !== undefined) return blocked;
  if (node === null || node === undefined) return { found: false, why: "no-value", at: path };
  if (!isScalar(node)) return { found: false, why: "not-a-scalar", at: path };
  const ref = scalarRef(node as Scalar.Parsed, text);
  if (ref.value === null && ref.style === "plain") return { found: false, why: "no-value", at: path };
  return { found: true, scalar: ref };
}

/**
 * The `key` values of the items of the list at `path` (e.g. every `images[].name`), to pick an entry
 * when the caller did not name one. Items that are not maps, or lack the key, are skipped.
 */
export function listKeyValues(
  ydoc: YamlDoc,
  path: readonly PathStep[],
  key: string,
): string[] | LookupFailure {
  let node: unknown = ydoc.doc.contents;
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    if (typeof step !== "string") return { found: false, why: "not-a-map", at: path.slice(0, i) };
    const blocked = aliasBlock(node, ydoc, path.slice(0, i));
    if (blocked !== undefined) return blocked;
    if (!isMap(node)) return { found: false, why: "not-a-map", at: path.slice(0, i) };
    const pair = node.items.find((item) => keyText(item) === step);
    if (pair === undefined) return { found: false, why: "missing", at: path.slice(0, i + 1) };
    node = pair.value;
  }
  const blocked = aliasBlock(node, ydoc, path);
  if (blocked !== undefined) return blocked;
  if (!isSeq(node)) return { found: false, why: "not-a-list", at: path };
  const values: string[] = [];
  for (const item of node.items) {
    if (!isMap(item)) continue;
    const pair = item.items.find((p) => keyText(p) === key);
    if (pair !== undefined && isScalar(pair.value)) values.push(scalarText(pair.value));
  }
  return values;
}

function aliasBlock(node: unknown, ydoc: YamlDoc, at: readonly PathStep[]): LookupFailure | undefined {
  if (isAlias(node))
    return { found: false, why: "alias", at, detail: `the value is an alias (*${node.source})` };
  const anchor = (node as { anchor?: unknown } | null)?.anchor;
  if (typeof anchor === "string" && ydoc.aliased.has(anchor)) {
    return {
      found: false,
      why: "alias",
      at,
      detail: `the value is anchored (&${anchor}) and used elsewhere as *${anchor}`,
    };
  }
  return undefined;
}

function keyText(pair: Pair): string | undefined {
  return isScalar(pair.key) ? scalarText(pair.key) : undefined;
}

function scalarText(node: Scalar): string {
  const source = (node as Scalar.Parsed).source;
  return typeof source === "string" ? source : String(node.value);
}

function scalarRef(node: Scalar.Parsed, text: string): ScalarRef {
  const [start, end] = node.range;
  const style: ScalarStyle =
    node.type === "QUOTE_DOUBLE"
      ? "double"
      : node.type === "QUOTE_SINGLE"
        ? "single"
        : node.type === "BLOCK_FOLDED" || node.type === "BLOCK_LITERAL"
          ? "block"
          : "plain";
  return {
    value: node.value,
    raw: text.slice(start, end),
    source: node.source,
    style,
    start,
    end,
    line: lineAt(text, start),
  };
}

/** 1-based line number of an offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The plain JavaScript value of a document (aliases resolved, `<<` left as a key). */
export function toData(ydoc: YamlDoc): unknown {
  return ydoc.doc.toJS({ maxAliasCount: 100 });
}

/**
 * Reads every document of a text as plain data, with `<<` merges applied the way Helm's parser applies
 * them. For questions such as "is autoscaling enabled?", where the answer must include inherited values.
 */
export function readYamlData(text: string): { ok: true; docs: unknown[] } | { ok: false; message: string } {
  const stream = parseAllDocuments(text, { merge: true });
  const all = Array.isArray(stream) ? stream : [];
  const error = all.flatMap((doc) => doc.errors)[0];
  if (error !== undefined) return { ok: false, message: firstLine(error.message) };
  try {
    return {
      ok: true,
      docs: all
        .filter((doc) => !isEmptyContents(doc.contents))
        .map((doc) => doc.toJS({ maxAliasCount: 100 })),
    };
  } catch (cause) {
    return { ok: false, message: cause instanceof Error ? cause.message : String(cause) };
  }
}

/**
 * How a plain scalar would be typed. Helm reads values with a YAML 1.1 parser, where `yes`, `on` and
 * `1_000` are not strings either, so a plain string must survive both 1.2 and 1.1 to stay plain.
 */
export function plainStaysString(value: string): boolean {
  if (
    value === "" ||
    value !== value.trim() ||
    /[\n\r\t#]/.test(value) ||
    /^[-?:,[\]{}&*!|>'"%@`]/.test(value)
  )
    return false;
  if (value.includes(": ") || value.endsWith(":")) return false;
  for (const version of ["1.2", "1.1"] as const) {
    const doc = parseDocument(value, { version });
    if (doc.errors.length > 0 || !isScalar(doc.contents) || doc.contents.value !== value) return false;
  }
  return true;
}

/** A string scalar's text in the given style; plain falls back to double quotes when it would re-type. */
export function renderString(value: string, style: Exclude<ScalarStyle, "block">): string {
  if (style === "single") return `'${value.replaceAll("'", "''")}'`;
  if (style === "plain" && plainStaysString(value)) return value;
  return JSON.stringify(value);
}

export function splice(text: string, start: number, end: number, replacement: string): string {
  return text.slice(0, start) + replacement + text.slice(end);
}

/** The line terminator used by the line that contains `offset` (CRLF files stay CRLF). */
export function eolAt(text: string, offset: number): string {
  const nl = text.indexOf("\n", offset);
  if (nl > 0 && text[nl - 1] === "\r") return "\r\n";
  if (nl === -1 && text.includes("\r\n")) return "\r\n";
  return "\n";
}

/** Offset just before the line terminator of the line that contains `offset`. */
export function endOfLine(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  if (nl === -1) return text.length;
  return text[nl - 1] === "\r" ? nl - 1 : nl;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** End offset of the last character of content in a node (before trailing newlines and comments). */
function contentEnd(node: unknown): number | undefined {
  if (isScalar(node) || isAlias(node)) return (node as Node).range?.[1];
  if (isMap(node) || isSeq(node)) {
    if (node.flow === true) return node.range?.[1];
    const last: unknown = node.items[node.items.length - 1];
    if (last === undefined) return node.range?.[1];
    if (isMap(node)) {
      const pair = last as Pair;
      const value = pair.value;
      const valueIsEmpty =
        value === null || (isScalar(value) && (value as Scalar.Parsed).source === "" && value.value === null);
      return valueIsEmpty ? contentEnd(pair.key) : contentEnd(value);
    }
    return contentEnd(last);
  }
  return undefined;
}

/** Layout of an existing block list, so an appended item looks like its siblings. */
export type ListLayout =
  | { kind: "block"; insertAt: number; dashIndent: string; gap: string; flowItems: "" | " " | undefined }
  | { kind: "unsupported"; why: string };

export function listLayout(ydoc: YamlDoc, path: readonly PathStep[], text: string): ListLayout {
  let node: unknown = ydoc.doc.contents;
  for (const step of path) {
    if (typeof step !== "string" || !isMap(node))
      return { kind: "unsupported", why: "the path is not a plain map path" };
    node = node.items.find((item) => keyText(item) === step)?.value;
  }
  if (!isSeq(node)) return { kind: "unsupported", why: `${formatPath(path)} is not a list` };
  if (node.flow === true) return { kind: "unsupported", why: `${formatPath(path)} is a flow list ([...])` };
  const last: unknown = node.items[node.items.length - 1];
  const end = contentEnd(node);
  if (last === undefined || end === undefined)
    return { kind: "unsupported", why: `${formatPath(path)} is empty` };
  const itemStart = (last as Node).range?.[0] ?? 0;
  const prefix = text.slice(lineStart(text, itemStart), itemStart);
  const dash = /^( *)-( +)$/.exec(prefix);
  const seqStart = node.range?.[0] ?? 0;
  const dashIndent = dash?.[1] ?? " ".repeat(seqStart - lineStart(text, seqStart));
  const gap = dash?.[2] ?? " ";
  const flowItems = isMap(last) && last.flow === true ? (text[itemStart + 1] === " " ? " " : "") : undefined;
  return { kind: "block", insertAt: endOfLine(text, end), dashIndent, gap, flowItems };
}

/** Where a new top-level key can go, and how block lists under top-level keys are indented. */
export type RootLayout =
  | { kind: "block"; insertAt: number; atEndOfText: boolean; keyIndent: string; listIndent: string }
  | { kind: "unsupported"; why: string };

export function rootLayout(ydoc: YamlDoc, text: string): RootLayout {
  const root = ydoc.doc.contents;
  if (!isMap(root) || root.flow === true)
    return { kind: "unsupported", why: "the document is not a block map" };
  const rootStart = root.range[0];
  const keyIndent = " ".repeat(rootStart - lineStart(text, rootStart));
  let listIndent = "  ";
  for (const pair of root.items) {
    if (isSeq(pair.value) && pair.value.flow !== true && pair.value.range !== undefined) {
      const at = pair.value.range[0];
      listIndent = " ".repeat(Math.max(0, at - lineStart(text, at) - keyIndent.length));
      break;
    }
  }
  if (ydoc.last) return { kind: "block", insertAt: text.length, atEndOfText: true, keyIndent, listIndent };
  const end = contentEnd(root);
  if (end === undefined) return { kind: "unsupported", why: "the document has no content" };
  return { kind: "block", insertAt: endOfLine(text, end), atEndOfText: false, keyIndent, listIndent };
}

/** Where a new key can go in the map at `path`, so an added entry looks like its siblings. */
export type MapLayout =
  | { kind: "block"; insertAt: number; keyIndent: string }
  /** `{}` written on one line: the whole `{}` is replaced. */
  | { kind: "empty-flow"; start: number; end: number }
  | { kind: "missing" }
  | { kind: "unsupported"; why: string };

export function mapLayout(ydoc: YamlDoc, path: readonly PathStep[], text: string): MapLayout {
  let node: unknown = ydoc.doc.contents;
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    const blocked = aliasBlock(node, ydoc, path.slice(0, i));
    if (blocked !== undefined)
      return { kind: "unsupported", why: blocked.why === "alias" ? blocked.detail : blocked.why };
    if (typeof step !== "string" || !isMap(node))
      return { kind: "unsupported", why: `${formatPath(path.slice(0, i))} is not a map` };
    const pair = node.items.find((item) => keyText(item) === step);
    if (pair === undefined) {
      if (node.items.some((item) => keyText(item) === "<<"))
        return { kind: "unsupported", why: `${formatPath(path.slice(0, i))} has a << merge` };
      return { kind: "missing" };
    }
    node = pair.value;
  }
  const blocked = aliasBlock(node, ydoc, path);
  if (blocked !== undefined)
    return { kind: "unsupported", why: blocked.why === "alias" ? blocked.detail : blocked.why };
  const label = formatPath(path);
  if (!isMap(node)) return { kind: "unsupported", why: `${label} is not a map` };
  if (node.flow === true) {
    const [start, end] = node.range ?? [0, 0];
    if (
      node.items.length === 0 &&
      text.slice(start, end).replace(/\s/g, "") === "{}" &&
      !text.slice(start, end).includes("\n")
    )
      return { kind: "empty-flow", start, end };
    return { kind: "unsupported", why: `${label} is a flow map ({...}) with entries` };
  }
  const first = node.items[0];
  const end = contentEnd(node);
  const keyStart = (first?.key as Node | undefined)?.range?.[0];
  if (first === undefined || end === undefined || keyStart === undefined)
    return { kind: "unsupported", why: `${label} is empty` };
  return {
    kind: "block",
    insertAt: endOfLine(text, end),
    keyIndent: " ".repeat(keyStart - lineStart(text, keyStart)),
  };
}

import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Node } from "yaml";
import type { z } from "zod";
import { InvalidFileError, type FileProblem } from "./invalid-file-error.js";

/**
 * Reads a YAML (or JSON) text and validates it against a zod schema. Every problem names the file,
 * the dotted path inside it, the line, what was expected and what was found.
 */
export function parseWithSchema<S extends z.ZodType>(file: string, text: string, schema: S): z.output<S> {
  const data = parseYamlData(file, text);
  return validateData(file, data, schema, text);
}

/** Parses YAML to plain data (read-only use; manifests are edited through src/manifests instead). */
export function parseYamlData(file: string, text: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new InvalidFileError(
      doc.errors.map((error) => {
        // prettyErrors is off (it would put a code frame in the message), so linePos is unset: count from pos.
        const line =
          error.linePos?.[0]?.line ??
          (error.pos?.[0] === undefined ? undefined : lineCounter.linePos(error.pos[0]).line);
        return {
          file,
          path: "",
          ...(line === undefined ? {} : { line }),
          message: `is not valid YAML: ${firstLine(error.message)}`,
        };
      }),
    );
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (cause) {
    // The yaml package throws a ReferenceError when aliases would expand past the limit (a "billion
    // laughs" file): that is a bad file, not a crash, and the user needs its name.
    throw new InvalidFileError(
      [
        {
          file,
          path: "",
          message: `cannot be read: ${cause instanceof Error ? firstLine(cause.message) : String(cause)} (a file that expands aliases this much is refused; write the values out instead of nesting aliases)`,
        },
      ],
      { cause },
    );
  }
}

/** How many alias expansions a config, runbook or policy may use; real files use a handful at most. */
const MAX_ALIAS_COUNT = 50;

export function validateData<S extends z.ZodType>(
  file: string,
  data: unknown,
  schema: S,
  text?: string,
): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const lines = text === undefined ? undefined : lineFinder(text);
  const problems: FileProblem[] = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    // An unknown key is found on its own line, not on the line of the map that holds it.
    const line = lines?.(
      issue.code === "unrecognized_keys" && issue.keys[0] !== undefined
        ? [...issue.path, issue.keys[0]]
        : issue.path,
    );
    return {
      file,
      path,
      ...(line === undefined ? {} : { line }),
      message: describeIssue(issue, valueAt(data, issue.path)),
    };
  });
  throw new InvalidFileError(problems);
}

function describeIssue(issue: z.core.$ZodIssue, found: unknown): string {
  const got = found === undefined ? "nothing" : JSON.stringify(found);
  switch (issue.code) {
    case "unrecognized_keys":
      return `has unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} (check the spelling; see the JSON Schema in schemas/)`;
    case "invalid_type":
      return found === undefined
        ? `is required: ${article(issue.expected)}`
        : `must be ${article(issue.expected)} (got ${got})`;
    case "invalid_value":
      return found === undefined
        ? `is required: one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")} (got ${got})`;
    case "invalid_union":
      return describeUnion(issue, found, got);
    default:
      return `${lowerFirst(issue.message)} (got ${got})`;
  }
}

/**
 * zod's union wording ("Invalid input", "Invalid discriminator value") names no choice a person can
 * make. A discriminated union names its options; any other union says what the branch that came
 * closest wanted, or which types would do.
 */
function describeUnion(
  issue: z.core.$ZodIssue & { code: "invalid_union" },
  found: unknown,
  got: string,
): string {
  const options = (issue as { options?: unknown[] }).options;
  if (issue.errors.length === 0 && Array.isArray(options) && options.length > 0) {
    const list = options.map(String).join(", ");
    return found === undefined ? `is required: one of ${list}` : `must be one of ${list} (got ${got})`;
  }
  // A branch that accepted the type but not the value says the most (a string that is not "+2").
  const closest = issue.errors.find((branch) => branch.some((inner) => inner.code !== "invalid_type"));
  const inner = closest?.find((i) => i.code !== "invalid_type");
  if (inner !== undefined) {
    const where = inner.path.map(String).join(".");
    const text = describeIssue(inner, valueAt(found, inner.path));
    return where === "" ? text : `${where} ${text}`;
  }
  const types = [
    ...new Set(
      issue.errors.flatMap((branch) =>
        branch
          .filter((i) => i.code === "invalid_type" && i.path.length === 0)
          .map((i) => article((i as { expected: string }).expected)),
      ),
    ),
  ];
  if (types.length === 0) return `${lowerFirst(issue.message)} (got ${got})`;
  const expected = types.length === 1 ? types[0] : `${types.slice(0, -1).join(", ")} or ${types.at(-1)}`;
  return found === undefined ? `is required: ${expected}` : `must be ${expected} (got ${got})`;
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = data;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Maps a data path to the 1-based line of the nearest node that exists in the source. */
function lineFinder(text: string): (path: readonly PropertyKey[]) => number | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return (path) => {
    let node: unknown = doc.contents;
    let offset: number | undefined = rangeStart(node);
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
        if (pair === undefined) break;
        offset = rangeStart(pair.key) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof key === "number") {
        node = node.items[key];
        offset = rangeStart(node) ?? offset;
      } else {
        break;
      }
    }
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range === undefined || range === null ? undefined : range[0];
}

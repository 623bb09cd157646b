/**
 * SPEC §6 canonical JSON: `JSON.stringify` with object keys sorted recursively and no whitespace.
 * Other tools recompute ledger hashes from this form, so it keeps JSON.stringify's semantics for
 * strings and numbers (escapes, `-0` → `0`, exponent notation) and only adds the key order.
 *
 * Keys sort by UTF-16 code units (`Array.prototype.sort`), which is what "JSON.stringify with
 * sorted keys" gives in JavaScript; it differs from code-point order only for astral characters.
 *
 * Where JSON.stringify would silently lose information the ledger refuses instead: non-finite
 * numbers (which would become `null`), bigint, functions, symbols and `undefined` outside an object
 * property, and objects such as Map or class instances that have no `toJSON`. An `undefined`
 * property is dropped, as JSON.stringify drops it.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, "$", new Set());
}

function encode(value: unknown, path: string, ancestors: Set<object>): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) {
        throw new TypeError(`canonical JSON: ${path} is ${value}, not a finite number`);
      }
      return JSON.stringify(value);
    case "object":
      break;
    default:
      throw new TypeError(`canonical JSON: ${path} is a ${typeof value}, which JSON cannot represent`);
  }
  if (ancestors.has(value)) throw new TypeError(`canonical JSON: ${path} is a circular reference`);
  if (!Array.isArray(value) && !isPlainObject(value)) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON !== "function") {
      throw new TypeError(
        `canonical JSON: ${path} is a ${value.constructor?.name ?? "non-plain object"}, not plain data`,
      );
    }
    return encode(toJSON.call(value, ""), path, ancestors);
  }
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const items: string[] = [];
      for (let i = 0; i < value.length; i += 1) {
        const item: unknown = value[i];
        if (item === undefined) throw new TypeError(`canonical JSON: ${path}[${i}] is undefined`);
        items.push(encode(item, `${path}[${i}]`, ancestors));
      }
      return `[${items.join(",")}]`;
    }
    const record = value as Record<string, unknown>;
    const members: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const member = record[key];
      if (member === undefined) continue;
      members.push(`${JSON.stringify(key)}:${encode(member, `${path}.${key}`, ancestors)}`);
    }
    return `{${members.join(",")}}`;
  } finally {
    ancestors.delete(value);
  }
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Merges policy files in file-name order: maps merge key by key, a later scalar wins, and lists are
 * concatenated without duplicates so that a later file can only add freeze windows, reviewers and
 * escalation matchers, never silently drop one.
 */
export function mergePolicies(documents: unknown[]): unknown {
  return documents.reduce<unknown>((merged, doc) => mergeValue(merged, doc), {});
}

function mergeValue(left: unknown, right: unknown): unknown {
  if (right === undefined || right === null) return left;
  if (Array.isArray(left) && Array.isArray(right)) {
    const seen = new Set(left.map((item) => JSON.stringify(item)));
    return [...left, ...right.filter((item) => !seen.has(JSON.stringify(item)))];
  }
  if (isPlainObject(left) && isPlainObject(right)) {
    const result: Record<string, unknown> = { ...left };
    for (const [key, value] of Object.entries(right)) result[key] = mergeValue(result[key], value);
    return result;
  }
  return right;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

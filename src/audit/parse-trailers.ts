const TRAILER = /^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$/;

/**
 * Reads the trailer block of a commit message the way `git interpret-trailers` does by default: the
 * last paragraph, when it is not the subject and every line in it is `Key: value` (or a folded
 * continuation line). Keys are case-insensitive in git, so they come back normalised to
 * `Remedy-Audit` form (each hyphen-separated word capitalised); values keep their order.
 */
export function parseTrailers(message: string): Record<string, string[]> {
  const paragraphs = message
    .replace(/\r\n?/g, "\n")
    .trim()
    .split(/\n[ \t]*\n/);
  const block = paragraphs.length > 1 ? paragraphs.at(-1) : undefined;
  if (block === undefined) return {};
  const pairs: [string, string][] = [];
  for (const line of block.split("\n")) {
    const last = pairs.at(-1);
    if (/^[ \t]/.test(line) && last !== undefined) {
      last[1] = `${last[1]} ${line.trim()}`.trim();
      continue;
    }
    const match = TRAILER.exec(line);
    if (match === null) return {};
    pairs.push([normaliseKey(match[1] ?? ""), (match[2] ?? "").trim()]);
  }
  const trailers = new Map<string, string[]>();
  for (const [key, value] of pairs) trailers.set(key, [...(trailers.get(key) ?? []), value]);
  return Object.fromEntries(trailers);
}

function normaliseKey(key: string): string {
  return key
    .split("-")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
    .join("-");
}

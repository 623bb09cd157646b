/**
 * Model output is untrusted text that ends up in a PR body outside a fenced block, so it is reduced
 * to one plain line: no markdown that could fake a section or hide text, no @mentions that would ping
 * people, no leading slash that could read as a command, and short enough not to crowd the packet.
 */
export function sanitizeModelText(text: string, max = 240): string {
  const plain = text
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, " ")
    .replace(/(?:https?|ftp|data|javascript):\S+/gi, "(link removed)")
    .replace(/[`*_#<>[\]|~\\]/g, "")
    .replace(/@(?=[A-Za-z0-9])/g, "")
    .replace(/(^|\s)\/(?=[A-Za-z])/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
  return plain.length <= max ? plain : `${plain.slice(0, max - 1).trimEnd()}…`;
}

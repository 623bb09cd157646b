import { safeText } from "../text/safe-text.js";

/**
 * Markdown helpers for text Remedy does not trust. Untrusted text only ever appears inside a fenced
 * block whose fence is longer than any backtick run in the text, so it cannot close the fence. The
 * text is made safe first: dropping a control character later could join two backtick runs into one
 * long enough to close the fence.
 */
export function fenced(text: string, info = "text"): string {
  const clean = safeText(text);
  // A loop, not Math.max(...runs): a quoted text with a million backtick runs must not overflow the stack.
  let longest = 2;
  for (const run of clean.matchAll(/`+/g)) longest = Math.max(longest, run[0].length);
  const fence = "`".repeat(longest + 1);
  return `${fence}${info}\n${clean.replace(/\n+$/, "")}\n${fence}`;
}

/** A short untrusted value (a label, a login) reduced to a safe token: no spaces, no markup. */
export function safeToken(value: string, max = 64): string {
  const cleaned = value.replace(/[^A-Za-z0-9._:/@=-]/g, "_");
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}

/** A table cell: no pipes or newlines from data break the table. */
export function cell(value: string): string {
  return value.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

export function table(headers: string[], rows: string[][]): string {
  return [
    `| ${headers.join(" | ")} |`,
    `|${headers.map(() => "---").join("|")}|`,
    ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ].join("\n");
}

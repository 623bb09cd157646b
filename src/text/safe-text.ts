import { redactText } from "./redact-secrets.js";

/**
 * What Remedy writes to GitHub when it quotes text it did not write (alert annotations, issue text,
 * model answers): secrets masked as the ledger masks them, invisible characters gone, and within
 * GitHub's limits, which answers 422 past them and would otherwise lose the write.
 */
export const MAX_TITLE = 256;
export const MAX_BODY = 65_536;

// C0 and C1 controls and DEL, except tab and newline: NUL truncates text in some clients, and the
// rest hide or reorder what a reviewer reads.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
// Bidi embeddings, overrides and isolates ("Trojan Source"): shown as a visible replacement mark,
// so a reviewer sees that something was there instead of reading text in a hidden order.
const BIDI = /[\u202A-\u202E\u2066-\u2069]/g;

/** Secrets masked, controls other than `\n` and `\t` dropped (`\r\n` becomes `\n`), bidi controls made visible. */
export function safeText(text: string): string {
  return redactText(text.replace(/\r\n?/g, "\n").replace(CONTROLS, "").replace(BIDI, "\uFFFD"));
}

/** A title GitHub accepts: one clean line of at most {@link MAX_TITLE} characters. */
export function fitTitle(title: string, limit = MAX_TITLE): string {
  const line = safeText(title).replace(/\s+/g, " ").trim();
  if (line.length <= limit) return line;
  for (let keep = limit; keep > 0; keep -= 1) {
    const head = cutAt(line, keep);
    const candidate = `${head}… (${line.length - head.length} more characters)`;
    if (candidate.length <= limit) return candidate;
  }
  return line.slice(0, limit);
}

/**
 * A body GitHub accepts: `human` made safe and shortened until it fits, then `keep` (a hidden block
 * whose hash the ledger holds) appended whole and untouched. A cut says how much was left out and
 * closes a code fence it lands in, so the note and the block never end up inside quoted text.
 */
export function fitBody(human: string, keep = "", limit = MAX_BODY): string {
  const text = safeText(human);
  const tail = keep === "" ? "" : `\n\n${keep}`;
  if (text.length + tail.length <= limit) return text + tail;
  let room = Math.max(0, limit - tail.length);
  // Two rounds at most: the note's own length depends on the figure it reports.
  for (;;) {
    const cut = cutAt(text, lineBoundary(text, Math.max(0, room - 200)));
    const closing = openFence(cut);
    const note = `${closing === null ? "" : `\n${closing}`}\n\n…(truncated: ${text.length - cut.length} of ${text.length} characters left out to stay within GitHub's limit)`;
    const body = cut + note + tail;
    if (body.length <= limit || room === 0) return body;
    room = Math.max(0, room - (body.length - limit));
  }
}

/** The last line break at or before `at`, unless that throws away more than a few lines' worth. */
function lineBoundary(text: string, at: number): number {
  const newline = text.lastIndexOf("\n", at);
  return newline >= 0 && at - newline <= 2_000 ? newline : at;
}

/** `text` cut to `at` code units, never between the two halves of a surrogate pair. */
function cutAt(text: string, at: number): string {
  if (at >= text.length) return text;
  const code = text.charCodeAt(at - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? at - 1 : at);
}

/**
 * The closing fence for a fenced code block still open at the end of `text` (CommonMark: up to three
 * spaces, then three or more backticks or tildes; it closes on the same character, at least as long,
 * with nothing after it), or null when none is open.
 */
function openFence(text: string): string | null {
  let open: string | null = null;
  for (const line of text.split("\n")) {
    const match = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (match === null) continue;
    const [, run = "", rest = ""] = match;
    if (open === null) {
      if (!(run.startsWith("`") && rest.includes("`"))) open = run;
    } else if (run[0] === open[0] && run.length >= open.length && rest.trim() === "") {
      open = null;
    }
  }
  return open;
}

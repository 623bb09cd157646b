import { hashEntry } from "./hash-entry.js";
import { GENESIS, type LedgerEntry } from "./ledger-entry.js";
import { readLedgerLines } from "./read-ledger-lines.js";

export type ChainResult =
  { ok: true; count: number; head: string } | { ok: false; seq: number | null; line: number; reason: string };

/**
 * Checks a whole ledger text and stops at the first problem, in file order. Hashes are recomputed
 * from each parsed entry, never taken from the line text, so a line in another key order or
 * spacing still verifies when its content is right.
 */
export function verifyChain(
  text: string,
  opts: { commitExists?: (sha: string) => boolean } = {},
): ChainResult {
  let previous: LedgerEntry | undefined;
  let count = 0;
  for (const read of readLedgerLines(text)) {
    if (!("entry" in read)) return { ok: false, seq: read.seq, line: read.line, reason: read.reason };
    const { entry, line } = read;
    const expected = previous === undefined ? 1 : previous.seq + 1;
    if (entry.seq !== expected) {
      const after = previous === undefined ? "at the start" : `after ${previous.seq}`;
      return {
        ok: false,
        seq: expected,
        line,
        reason: `expected seq ${expected} ${after}, found ${entry.seq}`,
      };
    }
    if (previous === undefined && entry.prev !== GENESIS) {
      return { ok: false, seq: entry.seq, line, reason: `prev of the first entry is not ${GENESIS}` };
    }
    if (previous !== undefined && entry.prev !== previous.hash) {
      return {
        ok: false,
        seq: entry.seq,
        line,
        reason: `prev does not match the hash of seq ${previous.seq}`,
      };
    }
    const computed = hashEntry(entry);
    if (computed !== entry.hash) {
      return {
        ok: false,
        seq: entry.seq,
        line,
        reason: `hash mismatch (recorded ${entry.hash}, computed ${computed})`,
      };
    }
    if (entry.sha !== null && opts.commitExists !== undefined && !opts.commitExists(entry.sha)) {
      return { ok: false, seq: entry.seq, line, reason: `sha ${entry.sha} is not a commit in this clone` };
    }
    previous = entry;
    count += 1;
  }
  return { ok: true, count, head: previous?.hash ?? GENESIS };
}

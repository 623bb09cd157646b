import { hashEntry } from "./hash-entry.js";
import { GENESIS, type LedgerEntry } from "./ledger-entry.js";
import { readLedgerLines } from "./read-ledger-lines.js";

export type ChainResult =
  { ok: true; count: number; head: string } | { ok: false; seq: number | null; line: number; reason: string };

type ChainFailure = Extract<ChainResult, { ok: false }>;

/** Where a verified ledger text ends: its last entry (none for an empty ledger) and its line count. */
export interface ChainPoint {
  last: LedgerEntry | undefined;
  count: number;
}

export interface ChainOptions {
  commitExists?: (sha: string) => boolean;
}

/**
 * Checks a whole ledger text and stops at the first problem, in file order. Hashes are recomputed
 * from each parsed entry, never taken from the line text, so a line in another key order or
 * spacing still verifies when its content is right.
 */
export function verifyChain(text: string, opts: ChainOptions = {}): ChainResult {
  const result = continueChain({ last: undefined, count: 0 }, text, opts);
  if (!result.ok) return result;
  return { ok: true, count: result.point.count, head: result.point.last?.hash ?? GENESIS };
}

/**
 * Checks the lines that follow a ledger text already verified up to `from`, as `verifyChain` would
 * check them in the whole text: `verifyChain(prefix + rest)` is ok exactly when `verifyChain(prefix)`
 * ended at `from` and this is ok, given that `prefix` is empty or ends with a newline. Line numbers
 * in a failure count the prefix's lines.
 */
export function continueChain(
  from: ChainPoint,
  rest: string,
  opts: ChainOptions = {},
): { ok: true; point: ChainPoint } | ChainFailure {
  let previous = from.last;
  let count = from.count;
  for (const read of readLedgerLines(rest, from.count + 1)) {
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
  return { ok: true, point: { last: previous, count } };
}

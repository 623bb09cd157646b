import type { LedgerEntry } from "./ledger-entry.js";
import { readLedgerLines } from "./read-ledger-lines.js";

/**
 * Reads the entries of a ledger text; chain checks are `verifyChain`'s job. Lines are numbered from
 * `firstLine` (the rest of a ledger whose first lines were read before).
 */
export function parseLedger(
  text: string,
  firstLine = 1,
): {
  entries: LedgerEntry[];
  errors: { line: number; reason: string }[];
} {
  const entries: LedgerEntry[] = [];
  const errors: { line: number; reason: string }[] = [];
  for (const read of readLedgerLines(text, firstLine)) {
    if ("entry" in read) entries.push(read.entry);
    else errors.push({ line: read.line, reason: read.reason });
  }
  return { entries, errors };
}

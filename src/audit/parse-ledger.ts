import type { LedgerEntry } from "./ledger-entry.js";
import { readLedgerLines } from "./read-ledger-lines.js";

/** Reads the entries of a ledger text; chain checks are `verifyChain`'s job. */
export function parseLedger(text: string): {
  entries: LedgerEntry[];
  errors: { line: number; reason: string }[];
} {
  const entries: LedgerEntry[] = [];
  const errors: { line: number; reason: string }[] = [];
  for (const read of readLedgerLines(text)) {
    if ("entry" in read) entries.push(read.entry);
    else errors.push({ line: read.line, reason: read.reason });
  }
  return { entries, errors };
}

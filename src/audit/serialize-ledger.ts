import { canonicalJson } from "./canonical-json.js";
import type { LedgerEntry } from "./ledger-entry.js";

/**
 * One canonical-JSON line per entry, `hash` included, each ending in a newline. The sorted-key form
 * is a valid SPEC §6 line, and writing it means a tool that hashes the line text minus `hash` and
 * one that hashes the parsed object agree.
 */
export function serializeLedger(entries: readonly LedgerEntry[]): string {
  return entries.map((entry) => `${canonicalJson(entry)}\n`).join("");
}

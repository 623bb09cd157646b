import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";
import type { LedgerEntry } from "./ledger-entry.js";

/**
 * SPEC §6: `"sha256:"` + hex SHA-256 of the UTF-8 bytes of the canonical JSON of the entry without
 * its `hash` field. A `hash` present at run time (a parsed line) is ignored rather than trusted, so
 * verification always recomputes from the other fields.
 */
export function hashEntry(entry: Omit<LedgerEntry, "hash">): string {
  const { hash: _ignored, ...rest } = entry as Omit<LedgerEntry, "hash"> & { hash?: unknown };
  return `sha256:${createHash("sha256").update(canonicalJson(rest), "utf8").digest("hex")}`;
}

import { HASH_PATTERN } from "./ledger-entry.js";

export interface RemedyTrailers {
  incident?: number | null;
  evidence?: string | readonly string[];
  audit?: string | readonly string[];
}

/**
 * The SPEC §4 trailer lines of a Remedy commit, in the spec's order, without a trailing newline.
 * Append them to a message after a blank line. `audit` names ledger entry hashes, so pass the
 * hashes `AuditLedger.append` returned: an append that lost a race is re-chained, and only the
 * returned entries are the ones that landed.
 */
export function trailersFor(trailers: RemedyTrailers): string {
  const lines: string[] = [];
  if (trailers.incident !== undefined && trailers.incident !== null) {
    if (!Number.isSafeInteger(trailers.incident) || trailers.incident < 1) {
      throw new TypeError(`Remedy-Incident must be a positive issue number (got ${trailers.incident})`);
    }
    lines.push(`Remedy-Incident: #${trailers.incident}`);
  }
  for (const hash of list(trailers.evidence))
    lines.push(`Remedy-Evidence: ${checked("Remedy-Evidence", hash)}`);
  for (const hash of list(trailers.audit)) lines.push(`Remedy-Audit: ${checked("Remedy-Audit", hash)}`);
  return lines.join("\n");
}

function list(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === "string" ? [value] : value;
}

function checked(key: string, hash: string): string {
  if (!HASH_PATTERN.test(hash)) {
    throw new TypeError(`${key} must be sha256:<64 hex> (got ${JSON.stringify(hash)})`);
  }
  return hash;
}

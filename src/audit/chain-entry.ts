import { canonicalJson } from "./canonical-json.js";
import { hashEntry } from "./hash-entry.js";
import { GENESIS, type AuditEvent, type LedgerEntry } from "./ledger-entry.js";
import { ledgerEntrySchema } from "./read-ledger-lines.js";
import { redactSecrets } from "../text/redact-secrets.js";

/**
 * Links an event after `previous` (the first entry when undefined). `data` is reduced to plain JSON
 * (so the entry returned is exactly what was hashed) and redacted here, where every append passes,
 * so no caller can put a secret into the ledger by forgetting to. Throws when the event would make
 * an entry that `verifyChain` rejects, so an invalid line is never written.
 */
export function chainEntry(previous: LedgerEntry | undefined, event: AuditEvent): LedgerEntry {
  const data: unknown = JSON.parse(canonicalJson(event.data));
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new TypeError(`audit event ${event.kind}: data must be a JSON object`);
  }
  const unhashed = {
    seq: previous === undefined ? 1 : previous.seq + 1,
    at: event.at,
    kind: event.kind,
    repo: event.repo,
    incident: event.incident,
    pr: event.pr,
    sha: event.sha,
    actor: event.actor,
    data: redactSecrets(data as Record<string, unknown>),
    prev: previous === undefined ? GENESIS : previous.hash,
  };
  const entry: LedgerEntry = { ...unhashed, hash: hashEntry(unhashed) };
  const checked = ledgerEntrySchema.safeParse(entry);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new TypeError(
      `audit event ${String(event.kind)}: ${issue?.path.join(".") ?? "entry"} ${issue?.message ?? "is invalid"}`,
    );
  }
  return entry;
}

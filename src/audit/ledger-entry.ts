/**
 * The audit ledger's entry, exactly as SPEC §6 fixes it. Tools outside Remedy verify ledgers with
 * their own code, so nothing here may drift from the spec: field names, `sha256:` prefixes, the
 * genesis value and seq starting at 1.
 */

export type AuditKind =
  | "signal"
  | "diagnosis"
  | "decision"
  | "pr.opened"
  | "command"
  | "review"
  | "pr.merged"
  | "verify.started"
  | "verify.passed"
  | "verify.failed"
  | "verify.inconclusive"
  | "revert.opened"
  | "incident.closed"
  | "model.call"
  | "comment"
  | "verify.resumed"
  | "policy.rechecked"
  | "verify.refused"
  | "branch.refused"
  | "onboarding.opened"
  | "onboarding.declined"
  // Keeps autocompletion for the known kinds while letting newer writers add kinds without a release.
  | (string & {});

export interface LedgerEntry {
  seq: number;
  at: string;
  kind: AuditKind;
  repo: string;
  incident: number | null;
  pr: number | null;
  sha: string | null;
  actor: string;
  data: Record<string, unknown>;
  prev: string;
  hash: string;
}

/** What a step records; the ledger assigns seq, prev and hash when it appends. */
export type AuditEvent = Omit<LedgerEntry, "seq" | "prev" | "hash">;

/** `prev` of the first entry. */
export const GENESIS = `sha256:${"0".repeat(64)}`;

export const HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

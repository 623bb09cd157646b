import type { LedgerEntry } from "./ledger-entry.js";

/** How one environment's PRs fared under review, from the ledger alone (SPEC §6 `remedy audit stats`). */
export interface EnvironmentStats {
  environment: string;
  opened: number;
  merged: number;
  closedUnmerged: number;
  /** closedUnmerged / opened; null with no PRs. */
  rejectionRate: number | null;
  /** PRs with a `pr.updated` entry before their `pr.merged` (or at all, when never merged). */
  modifiedBeforeMerge: number;
  /** modifiedBeforeMerge / opened; null with no PRs. */
  modificationRate: number | null;
  reverted: number;
  /** PR opened → first approving review, over the PRs that were approved. */
  approvalLatency: { count: number; p50: number | null; p90: number | null };
  warnings: string[];
}

export interface AuditStats {
  since: string | null;
  entries: number;
  environments: EnvironmentStats[];
}

/** Below these, over at least CEREMONY_MIN_PRS PRs, approvals look like rubber stamps. */
export const CEREMONY_MIN_PRS = 20;
const CEREMONY_P50_SECONDS = 10;
const CEREMONY_REJECTION_RATE = 0.01;
export const CEREMONIAL_WARNING = "review looks ceremonial";

interface PrLife {
  environment: string;
  openedAt: number;
  openedSeq: number;
  mergedSeq: number | null;
  closed: boolean;
  updatedSeqs: number[];
  reverted: boolean;
  approvalSeconds: number | null;
}

/**
 * Folds a ledger into per-environment review statistics. Only Remedy's proposals count as PRs
 * (`pr.opened`); a revert PR counts as the revert of the PR it undoes. `since` keeps the PRs opened
 * at or after it. The environment of a PR is its `pr.opened` data's, else that of the incident's
 * latest diagnosis or decision before it (ledgers written before pr.opened carried it).
 */
export function auditStats(entries: readonly LedgerEntry[], opts: { since?: string } = {}): AuditStats {
  const since = opts.since === undefined ? null : Date.parse(opts.since);
  if (since !== null && Number.isNaN(since))
    throw new Error(`since ${JSON.stringify(opts.since)} is not ISO-8601`);
  const prs = new Map<string, PrLife>();
  const environmentOfIncident = new Map<string, string>();

  for (const entry of entries) {
    const incidentKey = `${entry.repo}#${entry.incident ?? "none"}`;
    const prKey = entry.pr === null ? null : `${entry.repo}#${entry.pr}`;
    const life = prKey === null ? undefined : prs.get(prKey);
    switch (entry.kind) {
      case "diagnosis":
      case "decision": {
        const environment = stringField(entry.data, "environment");
        if (environment !== null && entry.incident !== null)
          environmentOfIncident.set(incidentKey, environment);
        break;
      }
      case "pr.opened": {
        if (prKey === null || prs.has(prKey)) break;
        const at = Date.parse(entry.at);
        if (Number.isNaN(at) || (since !== null && at < since)) break;
        prs.set(prKey, {
          environment:
            stringField(entry.data, "environment") ?? environmentOfIncident.get(incidentKey) ?? "unknown",
          openedAt: at,
          openedSeq: entry.seq,
          mergedSeq: null,
          closed: false,
          updatedSeqs: [],
          reverted: false,
          approvalSeconds: null,
        });
        break;
      }
      case "pr.merged":
        if (life !== undefined && life.mergedSeq === null) life.mergedSeq = entry.seq;
        break;
      case "pr.closed":
        if (life !== undefined && life.mergedSeq === null) life.closed = true;
        break;
      case "pr.updated":
        if (life !== undefined) life.updatedSeqs.push(entry.seq);
        break;
      case "review":
        if (life !== undefined && life.approvalSeconds === null && entry.data.state === "approved")
          life.approvalSeconds = approvalSeconds(entry, life.openedAt);
        break;
      case "revert.opened": {
        // A revert PR's entry names the PR it undoes; a revert that could not be opened has none.
        const reverts = entry.data.reverts;
        const original = typeof reverts === "number" ? prs.get(`${entry.repo}#${reverts}`) : undefined;
        if (original !== undefined && entry.data.opened !== false) original.reverted = true;
        break;
      }
    }
  }

  const byEnvironment = new Map<string, PrLife[]>();
  for (const life of prs.values())
    byEnvironment.set(life.environment, [...(byEnvironment.get(life.environment) ?? []), life]);
  return {
    since: opts.since ?? null,
    entries: entries.length,
    environments: [...byEnvironment.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([environment, lives]) => environmentStats(environment, lives)),
  };
}

function environmentStats(environment: string, lives: PrLife[]): EnvironmentStats {
  const opened = lives.length;
  const closedUnmerged = lives.filter((l) => l.closed && l.mergedSeq === null).length;
  const modifiedBeforeMerge = lives.filter((l) =>
    l.updatedSeqs.some((seq) => l.mergedSeq === null || seq < l.mergedSeq),
  ).length;
  const latencies = lives
    .map((l) => l.approvalSeconds)
    .filter((s): s is number => s !== null)
    .sort((a, b) => a - b);
  const stats: EnvironmentStats = {
    environment,
    opened,
    merged: lives.filter((l) => l.mergedSeq !== null).length,
    closedUnmerged,
    rejectionRate: rate(closedUnmerged, opened),
    modifiedBeforeMerge,
    modificationRate: rate(modifiedBeforeMerge, opened),
    reverted: lives.filter((l) => l.reverted).length,
    approvalLatency: {
      count: latencies.length,
      p50: percentile(latencies, 0.5),
      p90: percentile(latencies, 0.9),
    },
    warnings: [],
  };
  if (looksCeremonial(stats)) stats.warnings.push(CEREMONIAL_WARNING);
  return stats;
}

function looksCeremonial(stats: EnvironmentStats): boolean {
  const p50 = stats.approvalLatency.p50;
  return (
    stats.opened >= CEREMONY_MIN_PRS &&
    p50 !== null &&
    p50 < CEREMONY_P50_SECONDS &&
    (stats.rejectionRate ?? 0) < CEREMONY_REJECTION_RATE &&
    stats.modifiedBeforeMerge === 0
  );
}

/** The latency the review entry recorded, else its submission (or entry) time minus the opening. */
function approvalSeconds(entry: LedgerEntry, openedAt: number): number | null {
  const recorded = entry.data.latencySeconds;
  if (typeof recorded === "number" && Number.isFinite(recorded) && recorded >= 0) return recorded;
  const submitted = Date.parse(stringField(entry.data, "submittedAt") ?? entry.at);
  if (Number.isNaN(submitted)) return null;
  return Math.max(0, (submitted - openedAt) / 1000);
}

/** Nearest-rank percentile of sorted values: a value that was actually observed. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] ?? null;
}

function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function stringField(data: Record<string, unknown>, name: string): string | null {
  const value = data[name];
  return typeof value === "string" && value !== "" ? value : null;
}

import type { LedgerEntry } from "./ledger-entry.js";

/**
 * The incident's story as the ledger tells it (SPEC §6 entries of one incident, in order): the
 * status, the alerts, the decision, Remedy's PRs and their verdicts. Only the ledger feeds it, never
 * the issue text, so a person editing the rendered section cannot change what Remedy believes.
 */
export const STATUSES = ["Investigating", "Identified", "Mitigating", "Monitoring", "Resolved"] as const;
export type IncidentStatus = (typeof STATUSES)[number];

export interface AlertRow {
  fingerprint: string;
  alertname: string;
  /** The labels that tell this alert apart from the others of its group. */
  labels: Record<string, string>;
  status: "firing" | "resolved";
  startsAt: string;
  endsAt: string | null;
}

export type PrState = "open" | "stale" | "merged" | "closed";

export interface PrRow {
  number: number;
  change: string;
  state: PrState;
  /** The PR this one reverts. */
  reverts: number | null;
  merge: { sha: string; at: string } | null;
  verdict: { outcome: "passed" | "failed" | "inconclusive"; at: string; reason: string | null } | null;
}

export interface Timeline {
  status: IncidentStatus | null;
  group: "firing" | "resolved" | null;
  alerts: AlertRow[];
  decision: { decision: string; summary: string; at: string } | null;
  prs: PrRow[];
  log: Array<{ at: string; text: string }>;
}

const str = (value: unknown): string | null => (typeof value === "string" ? value : null);

/** Replays the ledger entries of incident issue `incident` of `repo` into its timeline. */
export function timelineOf(entries: readonly LedgerEntry[], repo: string, incident: number): Timeline {
  const timeline: Timeline = { status: null, group: null, alerts: [], decision: null, prs: [], log: [] };
  for (const entry of entries) {
    if (entry.repo !== repo || entry.incident !== incident) continue;
    const text = apply(timeline, entry);
    if (text !== null) timeline.log.push({ at: entry.at, text });
  }
  return timeline;
}

/** Applies one entry; the log line it adds, or null for entries the timeline does not show. */
function apply(t: Timeline, entry: LedgerEntry): string | null {
  switch (entry.kind) {
    case "signal":
      return applySignal(t, entry);
    case "decision":
      return applyDecision(t, entry);
    case "pr.opened":
    case "revert.opened":
      return applyOpened(t, entry);
    case "pr.updated":
      return applyUpdated(t, entry);
    case "pr.stale":
    case "pr.closed":
    case "pr.merged":
      return applyPrState(t, entry);
    case "verify.passed":
    case "verify.failed":
    case "verify.inconclusive":
      return applyVerdict(t, entry);
    case "incident.closed":
      return "incident closed by Remedy";
    default:
      return null;
  }
}

function applySignal(t: Timeline, entry: LedgerEntry): string | null {
  const status = entry.data.status;
  if (status === "firing" || status === "resolved") t.group = status;
  if (t.status === null || (status === "firing" && t.status === "Resolved")) t.status = "Investigating";
  const alerts = Array.isArray(entry.data.alerts) ? entry.data.alerts : [];
  for (const raw of alerts) mergeAlert(t.alerts, raw);
  if (entry.data.source !== "alertmanager") return "incident reported";
  return `alert group ${status === "resolved" ? "resolved" : "firing"} (${alerts.length} alert${alerts.length === 1 ? "" : "s"} in the notification)`;
}

/**
 * One alert of a notification joins its row by fingerprint. A later firing of the same alert has a
 * later `startsAt`; the same `startsAt` with "firing" after "resolved" is a late or repeated
 * delivery, so the resolved record stands.
 */
function mergeAlert(rows: AlertRow[], raw: unknown): void {
  if (typeof raw !== "object" || raw === null) return;
  const r = raw as Record<string, unknown>;
  const fingerprint = str(r.fingerprint);
  const startsAt = str(r.startsAt) ?? "";
  if (fingerprint === null || (r.status !== "firing" && r.status !== "resolved")) return;
  const labels: Record<string, string> = {};
  if (typeof r.labels === "object" && r.labels !== null)
    for (const [k, v] of Object.entries(r.labels)) if (typeof v === "string") labels[k] = v;
  const row: AlertRow = {
    fingerprint,
    alertname: str(r.alertname) ?? "alert",
    labels,
    status: r.status,
    startsAt,
    endsAt: r.status === "resolved" ? str(r.endsAt) : null,
  };
  const index = rows.findIndex((a) => a.fingerprint === fingerprint);
  const old = rows[index];
  if (old === undefined) {
    rows.push(row);
    return;
  }
  if (row.startsAt < old.startsAt) return;
  if (row.startsAt === old.startsAt && old.status === "resolved" && row.status === "firing") return;
  rows[index] = row;
}

function applyDecision(t: Timeline, entry: LedgerEntry): string | null {
  const decision = str(entry.data.decision) ?? "none";
  const summary = str(entry.data.summary) ?? "";
  t.decision = { decision, summary, at: entry.at };
  if (t.status === null) t.status = "Investigating";
  if ((decision === "propose" || decision === "deny") && t.status === "Investigating")
    t.status = "Identified";
  return `decision: ${decision}`;
}

function applyOpened(t: Timeline, entry: LedgerEntry): string | null {
  if (entry.pr === null || entry.data.opened === false) return null;
  const reverts = typeof entry.data.reverts === "number" ? entry.data.reverts : null;
  if (entry.data.completed === true && t.prs.some((p) => p.number === entry.pr)) return null;
  const change =
    entry.data.completed === true
      ? (str(entry.data.title) ?? "a change")
      : reverts === null
        ? `${str(entry.data.field) ?? "field"} ${str(entry.data.before) ?? "?"} → ${str(entry.data.after) ?? "?"}`
        : `revert of #${reverts}: ${str(entry.data.field) ?? "field"} back to ${str(entry.data.restore) ?? "?"}`;
  const row: PrRow = { number: entry.pr, change, state: "open", reverts, merge: null, verdict: null };
  t.prs = [...t.prs.filter((p) => p.number !== entry.pr), row];
  t.status = "Mitigating";
  return reverts === null ? `#${entry.pr} opened: ${change}` : `revert #${entry.pr} opened for #${reverts}`;
}

function applyUpdated(t: Timeline, entry: LedgerEntry): string | null {
  const row = t.prs.find((p) => p.number === entry.pr);
  const to = str(entry.data.to);
  if (row === undefined || to === null) return null;
  row.change = `${str(entry.data.field) ?? "field"} ${str(entry.data.before) ?? "?"} → ${to}`;
  return `#${row.number} changed to ${to} by ${str(entry.data.by) ?? "someone"}`;
}

function applyPrState(t: Timeline, entry: LedgerEntry): string | null {
  const row = t.prs.find((p) => p.number === entry.pr);
  if (row === undefined) return null;
  if (entry.kind === "pr.merged") {
    row.state = "merged";
    row.merge = { sha: entry.sha ?? "", at: str(entry.data.mergedAt) ?? entry.at };
    t.status = "Monitoring";
    return `#${row.number} merged; verifying the rollout`;
  }
  if (row.state === "merged") return null;
  if (entry.kind === "pr.closed") {
    row.state = "closed";
    if (!t.prs.some((p) => p.state === "open" || p.state === "stale")) t.status = "Identified";
    return `#${row.number} closed without merging`;
  }
  row.state = entry.data.stale === true ? "stale" : "open";
  return `#${row.number} ${row.state === "stale" ? "marked stale" : "ready for review again"}`;
}

function applyVerdict(t: Timeline, entry: LedgerEntry): string | null {
  const row = t.prs.find((p) => p.number === entry.pr);
  const outcome =
    entry.kind === "verify.passed" ? "passed" : entry.kind === "verify.failed" ? "failed" : "inconclusive";
  if (row !== undefined) row.verdict = { outcome, at: entry.at, reason: str(entry.data.reason) };
  // Resolved only once a verification passed: never on a merge or a resolved alert alone.
  t.status = outcome === "passed" ? "Resolved" : "Investigating";
  return `verification of #${entry.pr ?? "?"} ${outcome}`;
}

/** The one sentence a status comment says about why the status is what it is. */
export function statusReason(t: Timeline): string {
  const pr = t.prs.at(-1);
  switch (t.status) {
    case "Resolved":
      return `verification of #${pr?.number ?? "?"} passed.`;
    case "Monitoring":
      return `#${pr?.number ?? "?"} is merged; Remedy verifies the rollout.`;
    case "Mitigating":
      return `#${pr?.number ?? "?"} (${pr?.change ?? "a change"}) waits for review.`;
    case "Identified":
      return `the decision is ${t.decision?.decision ?? "made"}; no change is in flight.`;
    default:
      return pr?.verdict !== null && pr?.verdict !== undefined
        ? `verification of #${pr.number} ${pr.verdict.outcome}: a person must decide.`
        : "Remedy is looking at the signals.";
  }
}

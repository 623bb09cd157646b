import type { AlertPayload } from "../signals/alert-payload.js";
import { safeToken } from "../proposal/markdown.js";
import { alertIssueMarker, renderAlertIssue } from "../signals/alert-issue.js";
import { loadConfig } from "../repo/load-repository.js";
import { resolveTarget } from "../signals/resolve-target.js";
import { repoAt } from "./repo-at.js";
import { incidentFromAlert } from "../signals/incident-from-alert.js";
import type { Incident } from "../signals/incident.js";
import { auditSteps, type AuditStep } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { handleIncident, type IncidentResult } from "./handle-incident.js";
import { KeyedQueue } from "./keyed-queue.js";
import { repositoryPause } from "./pause-of.js";
import { markFresh, markStale } from "./stale-pull-requests.js";
import { refreshTimeline } from "./refresh-timeline.js";
import { withLock } from "./with-lock.js";

const REPEAT_MARKER = "<!-- remedy:alert-status -->";

/**
 * A firing group opens (or reuses) one incident issue per groupKey and runs the incident loop; a
 * resolved group only comments. Alert text chooses runbook and target, never a value.
 */
export async function onAlert(deps: FlowDeps, payload: AlertPayload): Promise<AlertResult> {
  const incident = incidentFromAlert(deps.forge.repo, payload);
  const key = `${deps.forge.repo}\u0000${incident.key}`;
  return alertGroups.run(key, () =>
    withLock(deps.store, `alert-group:${deps.forge.repo.toLowerCase()}|${incident.key}`, () =>
      handleAlert(deps, payload, incident),
    ),
  );
}

/**
 * Notifications of one group run one after another in this process. Alertmanager HA peers send the
 * same group at once, and "find the issue, else create it" is not atomic on the forge, so without
 * this two deliveries would each open an incident issue. Within one process they queue here; across
 * replicas the store's lease on the group does the same (the branch lock keeps PRs single as well).
 */
const alertGroups = new KeyedQueue();

type AlertResult = IncidentResult & { issue: number | null };

async function handleAlert(deps: FlowDeps, payload: AlertPayload, incident: Incident): Promise<AlertResult> {
  const existing = await deps.forge.findIssue("incident", alertIssueMarker(incident.key));
  const signal = signalStep(payload, incident);
  if (payload.status === "resolved") return resolveAlert(deps, payload, existing?.number ?? null, signal);
  if (existing === null && (await pausedBeforeIssue(deps, payload, signal)))
    return { outcome: null, error: null, proposal: null, issue: null };
  const issueNumber =
    existing === null
      ? await openAlertIssue(deps, incident, payload)
      : await noteStillFiring(deps, existing.number);
  const result = await handleIncident(deps, { ...incident, issue: issueNumber }, "auto", "alertmanager", [
    signal(issueNumber),
  ]);
  await refreshTimeline(deps, issueNumber);
  return { ...result, issue: issueNumber };
}

/** The ledger's record of the notification, on the incident issue it concerns (null: none yet). */
function signalStep(payload: AlertPayload, incident: Incident): (issue: number | null) => AuditStep {
  return (issue) => ({
    kind: "signal",
    incident: issue,
    actor: "alertmanager",
    data: {
      source: "alertmanager",
      status: payload.status,
      groupKey: payload.groupKey,
      alertnames: incident.alertnames,
      labels: payload.commonLabels,
      fingerprints: payload.alerts.map((a) => a.fingerprint),
      alerts: alertRows(payload),
      truncatedAlerts: payload.truncatedAlerts,
    },
  });
}

/** A resolved group is recorded; its incident issue, if any, hears it and its PRs turn stale. */
async function resolveAlert(
  deps: FlowDeps,
  payload: AlertPayload,
  issue: number | null,
  signal: (issue: number | null) => AuditStep,
): Promise<AlertResult> {
  await auditSteps(deps, [signal(issue)]);
  if (issue !== null) {
    // endsAt is payload text like any annotation: a token, never words, outside a fence.
    const endsAt = safeToken(
      payload.alerts
        .map((a) => a.endsAt)
        .sort()
        .at(-1) ?? deps.now(),
    );
    // Each resolution keeps its own comment: a later "still firing" must not overwrite the record.
    const resolvedMarker = `<!-- remedy:alert-resolved ${endsAt} -->`;
    await deps.forge.upsertComment(
      issue,
      resolvedMarker,
      `${resolvedMarker}\nThe alert group resolved at ${endsAt}. Any Remedy PR for this incident stays open for its reviewers to merge or close; Remedy never merges or closes it on its own.`,
    );
    await markStale(deps, issue, `The alert group resolved at ${endsAt}`, "alertmanager");
    await refreshTimeline(deps, issue);
  }
  return { outcome: null, error: null, proposal: null, issue };
}

/** A paused repository gets no new incident issue: the signal is recorded, nothing is written. */
async function pausedBeforeIssue(
  deps: FlowDeps,
  payload: AlertPayload,
  signal: (issue: number | null) => AuditStep,
): Promise<boolean> {
  const pause = await repositoryPause(deps);
  if (pause === null) return false;
  await auditSteps(deps, [
    signal(null),
    {
      kind: "decision",
      incident: null,
      actor: "alertmanager",
      data: { decision: "none", summary: `paused: ${pause.reason}`, level: pause.level },
    },
  ]);
  deps.log.info({ level: pause.level, groupKey: payload.groupKey }, "alert in a paused repository");
  return true;
}

/** A new group's incident issue, titled with the service and environment the config resolves. */
async function openAlertIssue(deps: FlowDeps, incident: Incident, payload: AlertPayload): Promise<number> {
  const { title, body } = renderAlertIssue(incident, payload, await resolvedNames(deps, incident));
  return (await deps.forge.createIssue({ title, body, labels: ["incident"] })).number;
}

/** A group firing again: one comment says so (updated in place) and its stale PRs are fresh again. */
async function noteStillFiring(deps: FlowDeps, issue: number): Promise<number> {
  await deps.forge.upsertComment(
    issue,
    REPEAT_MARKER,
    `${REPEAT_MARKER}\nThe alert group is still firing (last notification ${deps.now()}).`,
  );
  await markFresh(deps, issue, `The alert group fires again (notification at ${deps.now()})`, "alertmanager");
  return issue;
}

/** At most this many alerts of one notification are recorded one by one. */
const MAX_ALERT_ROWS = 50;

/**
 * Each alert of the notification as the timeline shows it: the labels that tell it apart from the
 * group's common labels (bounded), its status and times. Label text stays data: the timeline quotes
 * it as tokens.
 */
function alertRows(payload: AlertPayload): Array<Record<string, unknown>> {
  return payload.alerts.slice(0, MAX_ALERT_ROWS).map((alert) => ({
    fingerprint: alert.fingerprint.slice(0, 64),
    alertname: (alert.labels.alertname ?? "alert").slice(0, 200),
    status: alert.status,
    startsAt: alert.startsAt.slice(0, 40),
    endsAt: alert.status === "resolved" ? (alert.endsAt ?? "").slice(0, 40) : null,
    labels: Object.fromEntries(
      Object.entries(alert.labels)
        .filter(([name, value]) => name !== "alertname" && payload.commonLabels[name] !== value)
        .slice(0, 6)
        .map(([name, value]) => [name.slice(0, 100), value.slice(0, 200)]),
    ),
  }));
}

/**
 * The configured service and environment an alert names (aliases and the `deployment` label
 * resolved as the PR will resolve them), for the issue title; nulls when the config cannot say.
 */
async function resolvedNames(
  deps: FlowDeps,
  incident: Incident,
): Promise<{ service: string | null; environment: string | null }> {
  try {
    const base = await deps.forge.defaultBranch();
    const sha = await deps.forge.branchHead(base);
    if (sha === null) return { service: null, environment: null };
    const resolution = resolveTarget(incident, await loadConfig(repoAt(deps.forge, sha)));
    return { service: resolution.service, environment: resolution.environment };
  } catch {
    // An unreadable config is reported by the incident loop; the title falls back to the labels.
    return { service: null, environment: null };
  }
}

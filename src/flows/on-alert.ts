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
export async function onAlert(
  deps: FlowDeps,
  payload: AlertPayload,
): Promise<IncidentResult & { issue: number | null }> {
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

async function handleAlert(
  deps: FlowDeps,
  payload: AlertPayload,
  incident: Incident,
): Promise<IncidentResult & { issue: number | null }> {
  const marker = alertIssueMarker(incident.key);
  const existing = await deps.forge.findIssue("incident", marker);
  const signal = (issue: number | null): AuditStep => ({
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

  if (payload.status === "resolved") {
    await auditSteps(deps, [signal(existing?.number ?? null)]);
    if (existing !== null) {
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
        existing.number,
        resolvedMarker,
        `${resolvedMarker}\nThe alert group resolved at ${endsAt}. Any Remedy PR for this incident stays open for its reviewers to merge or close; Remedy never merges or closes it on its own.`,
      );
      await markStale(deps, existing.number, `The alert group resolved at ${endsAt}`, "alertmanager");
      await refreshTimeline(deps, existing.number);
    }
    return { outcome: null, error: null, proposal: null, issue: existing?.number ?? null };
  }

  if (existing === null) {
    // A paused repository gets no new incident issue: the signal is recorded, nothing is written.
    const pause = await repositoryPause(deps);
    if (pause !== null) {
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
      return { outcome: null, error: null, proposal: null, issue: null };
    }
  }

  let issueNumber: number;
  if (existing === null) {
    const { title, body } = renderAlertIssue(incident, payload, await resolvedNames(deps, incident));
    issueNumber = (await deps.forge.createIssue({ title, body, labels: ["incident"] })).number;
  } else {
    issueNumber = existing.number;
    await deps.forge.upsertComment(
      issueNumber,
      REPEAT_MARKER,
      `${REPEAT_MARKER}\nThe alert group is still firing (last notification ${deps.now()}).`,
    );
    await markFresh(
      deps,
      issueNumber,
      `The alert group fires again (notification at ${deps.now()})`,
      "alertmanager",
    );
  }
  const result = await handleIncident(deps, { ...incident, issue: issueNumber }, "auto", "alertmanager", [
    signal(issueNumber),
  ]);
  await refreshTimeline(deps, issueNumber);
  return { ...result, issue: issueNumber };
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

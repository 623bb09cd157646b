import { describeAge } from "../diagnosis/describe-age.js";
import type { Diagnosis } from "../diagnosis/match-runbooks.js";
import type { RecentChange } from "../diagnosis/recent-changes.js";
import type { Runbook } from "../diagnosis/runbook-schema.js";
import type { Incident } from "../signals/incident.js";
import { safeToken } from "./markdown.js";
import type { EvidenceRow } from "./outcome.js";

/** Alerts Alertmanager dropped from the group: the evidence is incomplete. */
export function truncationGaps(incident: Incident): string[] {
  if (incident.truncatedAlerts <= 0) return [];
  return [
    `Alertmanager dropped ${incident.truncatedAlerts} alerts from this group (max_alerts): the evidence is incomplete.`,
  ];
}

/** Evidence Remedy meant to read and did not, each with why. */
export function evidenceGaps(runbook: Runbook, evidence: readonly EvidenceRow[]): string[] {
  if (runbook.evidence.length === 0)
    return [`Runbook ${runbook.id} defines no evidence queries: no metric was read at diagnosis.`];
  return evidence
    .filter((e) => e.value === null)
    .map((e) =>
      e.note.startsWith("not collected")
        ? `Evidence ${e.name} was ${e.note}.`
        : `Evidence ${e.name} returned ${e.note}.`,
    );
}

/**
 * A person changed the field this runbook edits within the window: their change may be the fix in
 * progress, or the cause, and Remedy's PR would override or undo it.
 */
export function personChangeGaps(changes: readonly RecentChange[], runbook: Runbook): string[] {
  if (runbook.action.kind === "restart") return [];
  const field = runbook.action.kind === "scale" ? "replicas" : "image";
  return changes
    .filter((c) => !c.byRemedy && c.fields.some((f) => f.field === field))
    .map((c) => {
      const edit = c.fields.find((f) => f.field === field);
      const who = c.author === null ? "someone (author unknown)" : `@${safeToken(c.author, 39)}`;
      const pr = c.pullRequest === null ? "" : ` in #${c.pullRequest}`;
      return `${who} changed ${field} ${edit?.from ?? "?"} → ${edit?.to ?? "?"}${pr} ${describeAge(c.secondsBeforeSignal)} (commit ${c.sha.slice(0, 12)}); this change edits the same field.`;
    });
}

/** The model's part, as an uncertainty when it was not consulted or did not agree. */
export function modelGaps(diagnosis: Diagnosis, configured: boolean): string[] {
  const model = diagnosis.model;
  if (!configured || model === undefined)
    return ["No model was consulted (none configured): the deterministic rules decided alone."];
  if (model.outcome === "not-used")
    return [`Model ${model.name} was not used: ${model.reason}. The rules decided alone.`];
  if (model.outcome === "disagreed")
    return [`Model ${model.name} disagreed with the rules: ${model.reason}.`];
  if (model.outcome === "accepted")
    return [`The rules did not match this runbook; model ${model.name} chose it (${model.reason}).`];
  return [];
}

import type { Issue } from "../forge/forge.js";
import { readAlertIssue } from "../signals/alert-issue.js";
import { incidentFromIssue } from "../signals/incident-from-issue.js";
import { canAct } from "../signals/role.js";
import { auditSteps, type AuditStep } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { handleIncident, type IncidentResult } from "./handle-incident.js";

const GATE_MARKER = "<!-- remedy:permission -->";

/** An issue opened with, or given, the label `incident`. */
export async function onIncidentIssue(deps: FlowDeps, issue: Issue): Promise<IncidentResult | null> {
  // Remedy's own alert issues are handled by the alert flow that opened them.
  if (readAlertIssue(issue.body, issue.author, deps.botLogin) !== null) return null;
  const role = await deps.forge.permission(issue.author);
  const incident = incidentFromIssue(deps.forge.repo, { ...issue, role });
  const signal: AuditStep = {
    kind: "signal",
    incident: issue.number,
    actor: issue.author,
    data: { source: "issue", role, title: issue.title },
  };
  if (!canAct(role)) {
    await deps.forge.upsertComment(
      issue.number,
      GATE_MARKER,
      `${GATE_MARKER}\nRemedy has not acted on this incident: @${issue.author} has ${role} permission on this repository. Someone with write, maintain or admin permission can comment \`/diagnose\` to start it.`,
    );
    await auditSteps(deps, [
      signal,
      {
        kind: "decision",
        incident: issue.number,
        actor: issue.author,
        data: { decision: "none", summary: `author has ${role} permission` },
      },
    ]);
    return null;
  }
  return handleIncident(deps, incident, "auto", issue.author, [signal]);
}

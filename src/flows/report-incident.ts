import { InvalidFileError } from "../config/invalid-file-error.js";
import { loadRepository, type Repository } from "../repo/load-repository.js";
import { fenced } from "../proposal/markdown.js";
import type { Incident } from "../signals/incident.js";
import { fitBody } from "../text/safe-text.js";
import { auditSteps, type AuditStep } from "./audit-step.js";
import { DECISION_MARKER } from "./decide-incident.js";
import type { FlowDeps } from "./deps.js";
import { pausedNotice, type Pause } from "./pause-of.js";

/** Remedy's files at the base commit, or the error that says what is wrong with them. */
export async function loadOrInvalid(
  reader: Parameters<typeof loadRepository>[0],
): Promise<Repository | InvalidFileError> {
  try {
    return await loadRepository(reader);
  } catch (error) {
    if (error instanceof InvalidFileError) return error;
    throw error;
  }
}

const PAUSE_MARKER = "<!-- remedy:paused-notice -->";

/** A paused scope: the signal and a `none` decision in the ledger, one notice on the incident. */
export async function reportPaused(
  deps: FlowDeps,
  incident: Incident,
  pause: Pause,
  actor: string,
  leading: AuditStep[],
): Promise<void> {
  deps.log.info({ incident: incident.issue, level: pause.level }, "scope paused; nothing planned");
  await auditSteps(deps, [
    ...leading,
    {
      kind: "decision",
      incident: incident.issue,
      actor,
      data: { decision: "none", summary: `paused: ${pause.reason}`, level: pause.level },
    },
  ]);
  if (incident.issue === null) return;
  await deps.forge.upsertComment(
    incident.issue,
    PAUSE_MARKER,
    `${PAUSE_MARKER}\n${pausedNotice(pause, "Remedy did not plan or open anything for this incident")}`,
  );
}

/** Invalid Remedy files fail closed: an escalation in the ledger and the problems on the incident. */
export async function reportInvalidFiles(
  deps: FlowDeps,
  incident: Incident,
  error: InvalidFileError,
  actor: string,
  leading: AuditStep[],
): Promise<void> {
  deps.log.warn(
    { incident: incident.issue, problems: error.problems.length },
    "repository files are invalid; failing closed",
  );
  await auditSteps(deps, [
    ...leading,
    {
      kind: "decision",
      incident: incident.issue,
      actor,
      data: { decision: "escalate", summary: "invalid repository files", problems: error.problems },
    },
  ]);
  if (incident.issue === null) return;
  await deps.forge.upsertComment(
    incident.issue,
    DECISION_MARKER,
    fitBody(
      `${DECISION_MARKER}\n### Remedy cannot act: the repository's Remedy files are invalid\nNo PR was opened (Remedy fails closed). Fix these and comment \`/diagnose\`:\n\n${fenced(error.message)}`,
    ),
  );
  await deps.forge.addLabels(incident.issue, ["needs-human"]);
}

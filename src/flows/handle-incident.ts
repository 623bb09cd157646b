import { InvalidFileError } from "../config/invalid-file-error.js";
import type { Incident } from "../signals/incident.js";
import type { AuditStep } from "./audit-step.js";
import { decide, notifyResult, plannerFor, writeModeOf } from "./decide-incident.js";
import type { IncidentResult, WriteMode } from "./decide-incident.js";
import type { FlowDeps } from "./deps.js";
import { pauseOf } from "./pause-of.js";
import { ownRemedyPrs, samePullRequests } from "./recent-remedy-prs.js";
import { repoAt } from "./repo-at.js";
import { loadOrInvalid, reportInvalidFiles, reportPaused } from "./report-incident.js";
import { withTargetLock } from "./with-target-lock.js";

export { DECISION_MARKER, type IncidentResult, type WriteMode } from "./decide-incident.js";

/**
 * Remedy's loop on one screen: signal → incident → diagnose → plan → decide → publish → verify → outcome.
 * on-alert, on-issue and on-comment make the Incident; this plans and decides it and publishes the PR
 * or a comment; after the merge verification-tick.ts judges the rollout and open-revert.ts undoes a failure
 * (ARCHITECTURE.md, "The loop"). `leading` audit steps (the signal) share the decision's ledger write.
 */
export async function handleIncident(
  deps: FlowDeps,
  incident: Incident,
  mode: WriteMode,
  actor: string,
  leading: AuditStep[] = [],
): Promise<IncidentResult> {
  const base = await deps.forge.defaultBranch();
  const baseSha = await deps.forge.branchHead(base);
  if (baseSha === null) throw new Error(`the default branch ${base} of ${deps.forge.repo} has no commits`);
  const reader = repoAt(deps.forge, baseSha);
  const listing = ownRemedyPrs(deps); // rate limit and one field, one PR; fetched while the files load
  listing.catch(() => undefined); // awaited below; an early return must not leave it unhandled
  const repository = await loadOrInvalid(reader);
  if (repository instanceof InvalidFileError) {
    await reportInvalidFiles(deps, incident, repository, actor, leading);
    return { outcome: null, error: repository.message, proposal: null };
  }
  const pause = await pauseOf(deps, { config: repository.config, incident: incident.issue });
  if (pause !== null && pause.mode === "off") {
    await listing.catch(() => undefined);
    await reportPaused(deps, incident, pause, actor, leading); // SPEC §3.4: one notice, nothing planned
    return { outcome: null, error: null, proposal: null };
  }
  const plan = plannerFor(deps, { repository, reader, baseSha, incident });
  const remedyPrs = await listing;
  const outcome = await plan(remedyPrs);
  const writeMode = writeModeOf(mode, pause, repository);
  if (outcome.decision !== "propose" || writeMode !== "propose" || outcome.plan === null)
    return notifyResult(deps, repository, await decide(deps, outcome, { writeMode, actor, leading }));
  // One target decides at a time, each seeing the PRs opened before it (one field, one PR; the rate
  // limit counts PRs being opened): the listing is read again under the lock, re-planned if it moved.
  const result = await withTargetLock(deps, outcome.plan, async () => {
    const fresh = await ownRemedyPrs(deps);
    const current = samePullRequests(fresh, remedyPrs) ? outcome : await plan(fresh);
    return decide(deps, current, { writeMode, actor, leading, open: { base, baseSha, remedyPrs: fresh } });
  });
  return notifyResult(deps, repository, result);
}

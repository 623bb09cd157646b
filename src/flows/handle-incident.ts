import { InvalidFileError } from "../config/invalid-file-error.js";
import type { Incident } from "../signals/incident.js";
import type { AuditStep } from "./audit-step.js";
import { decide, notifyResult, writeModeOf, type IncidentResult, type WriteMode } from "./decide-incident.js";
import type { FlowDeps } from "./deps.js";
import { pauseOf } from "./pause-of.js";
import { planIncident } from "./plan-incident.js";
import { ownRemedyPrs, recentRemedyPrs, samePullRequests } from "./recent-remedy-prs.js";
import { repoAt } from "./repo-at.js";
import { loadOrInvalid, reportInvalidFiles, reportPaused } from "./report-incident.js";
import { withTargetLock } from "./with-target-lock.js";
import type { PullRequest } from "../forge/forge.js";

export { DECISION_MARKER, type IncidentResult, type WriteMode } from "./decide-incident.js";

/**
 * Remedy's loop on one screen: signal → incident → diagnose → plan → decide → publish → verify → outcome.
 * signal → incident: on-alert.ts, on-issue.ts and on-comment.ts turn an Alertmanager group, an issue
 * labelled `incident` or a writer's command into an Incident and call this. diagnose → plan → decide:
 * planIncident (diagnosis/ runbooks and evidence, proposal/ the one field edit, policy/ the rules).
 * publish: decide() records it and opens the PR (open-proposal.ts) or comments. verify → outcome: after
 * the merge, startVerification and verificationTick (verify-merged.ts) judge the rollout; a failure opens
 * the revert (open-revert.ts). `leading` audit steps (the signal) share the decision's ledger write.
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
    await reportPaused(deps, incident, pause, actor, leading); // SPEC §3.4: one notice, nothing planned
    return { outcome: null, error: null, proposal: null };
  }
  const [evidence, diagnoser] = [deps.evidence?.(repository.config), deps.diagnoser?.(repository.config)];
  const plan = (remedyPrs: readonly PullRequest[]) =>
    planIncident({
      ...{ repo: deps.forge.repo, repository, reader, history: reader, baseSha, incident },
      ...{ now: deps.now(), recentPrs: recentRemedyPrs(remedyPrs, deps.now()), botLogin: deps.botLogin },
      ...(evidence === undefined ? {} : { evidence }),
      ...(diagnoser === undefined ? {} : { diagnoser }),
    });
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

import type { PullRequest } from "../forge/forge.js";
import { ownPlan } from "./own-plan.js";
import { planAtMerge } from "./plan-at-merge.js";
import type { VerificationRecord } from "../store/store.js";
import { startVerdict } from "../verification/start-verdict.js";
import { parseVerdictBlock, restoreVerdict } from "../verification/verdict-block.js";
import type { FlowDeps } from "./deps.js";
import { storeVerification } from "./store-verification.js";
import { verificationId } from "../verification/verification-id.js";
import { VERIFY_CHECK } from "../verification/verify-check.js";

export interface RecoverOptions {
  /** Remedy PRs created at or after this time are looked at (a merge comes after the PR opens). */
  since: string;
  /** Stored on each rebuilt record, so the scheduler ticks it with the right installation's token. */
  installationId: number | null;
}

/**
 * Rebuilds the verifications in flight that the store has lost (new machine, wiped volume) from
 * GitHub alone: the merged PR's body holds the plan, and the `remedy/verify` check run on the merge
 * commit, still in progress, holds the verdict so far in a hidden block. A record the store still has
 * is left alone, so running this twice rebuilds nothing the second time.
 *
 * When the block is missing, garbled or does not belong to this plan, the verification starts over
 * from the merge time (`startVerdict(plan.verify, mergedAt)`), so the original deadline still holds:
 * evaluations are lost, never the schedule.
 */
export async function recoverVerifications(
  deps: FlowDeps,
  options: RecoverOptions,
): Promise<VerificationRecord[]> {
  const rebuilt: VerificationRecord[] = [];
  for (const pr of await deps.forge.listRemedyPullRequests(options.since)) {
    try {
      const record = await recoverOne(deps, pr, options.installationId);
      if (record !== null) rebuilt.push(record);
    } catch (error) {
      // One PR the forge cannot answer for (or with an unusable plan) must not keep the others lost.
      deps.log.warn({ err: error, pr: pr.number }, "could not recover the verification of a merged PR");
    }
  }
  if (rebuilt.length > 0)
    deps.log.info({ verifications: rebuilt.map((r) => r.id) }, "verifications rebuilt from GitHub");
  return rebuilt;
}

async function recoverOne(
  deps: FlowDeps,
  pr: PullRequest,
  installationId: number | null,
): Promise<VerificationRecord | null> {
  if (!pr.merged || pr.mergeSha === null) return null;
  const own = await ownPlan(deps, pr);
  if (own.status !== "own") return null;
  const id = verificationId(deps.forge.repo, pr.number);
  if ((await deps.store.getVerification(id)) !== null) return null;

  // Remedy marks its runs with the verification id; a remedy/verify run from another app (or left by
  // another verification) is not ours to resume, and GitHub would refuse our updates to it anyway.
  const runs = (await deps.forge.listCheckRuns(pr.mergeSha, VERIFY_CHECK)).filter(
    (run) => run.externalId === id,
  );
  const run = runs[0];
  // No run at all means the merge webhook was never processed: verification never started. Starting
  // one now, possibly long after the merge, is a separate decision (the deadline may be long past and
  // nobody was told), so recovery only resumes what GitHub shows as begun.
  if (run === undefined) return null;
  // Completed means decided and reported (revert opened, incident closed or a human asked).
  if (run.status === "completed") return null;
  // The same plan the verification started with: the value the merge commit holds (SPEC §5).
  const { plan } = await planAtMerge(deps, own.plan, pr.mergeSha);

  const block = parseVerdictBlock(run.text);
  const restored =
    block === null
      ? null
      : restoreVerdict(block, { id, mergeSha: pr.mergeSha, spec: plan.verify, mergedAt: pr.mergedAt });
  const mergedAt = pr.mergedAt ?? block?.mergedAt ?? deps.now();
  const verdict = restored ?? startVerdict(plan.verify, mergedAt);
  const record = await storeVerification(
    deps,
    { ...pr, mergeSha: pr.mergeSha },
    plan,
    { installationId, checkRunId: run.id, verdict },
    [
      {
        kind: "verify.resumed",
        actor: "remedy",
        data: {
          rebuilt: true,
          checkRun: run.id,
          from: restored === null ? "plan" : "check-run",
          evaluations: verdict.evaluations.length,
          ...(restored === null
            ? {
                why:
                  block === null ? "no readable verdict on the check run" : "verdict does not match the plan",
              }
            : {}),
        },
      },
    ],
  );
  return record;
}

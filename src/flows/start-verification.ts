import type { PullRequest } from "../forge/forge.js";
import type { Plan } from "../proposal/plan.js";
import type { VerificationRecord } from "../store/store.js";
import { nextEvaluationAt } from "../verification/next-evaluation-at.js";
import { startVerdict } from "../verification/start-verdict.js";
import type { VerdictState } from "../verification/verdict-state.js";
import { verdictText } from "../verification/verdict-text.js";
import { verificationId } from "../verification/verification-id.js";
import { VERIFY_CHECK } from "../verification/verify-check.js";
import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { ownPlan, refusalFor } from "./own-plan.js";
import { planAtMerge } from "./plan-at-merge.js";
import { refreshTimeline } from "./refresh-timeline.js";
import { storeVerification, type VerificationStep } from "./store-verification.js";

const TAMPERED_MARKER = "<!-- remedy:untrusted-plan -->";

type MergedPullRequest = PullRequest & { mergeSha: string };

/**
 * A merged Remedy PR starts verification: the plan is read back from the PR body, a `remedy/verify`
 * check run goes on the merge commit, and the state is stored so a restart resumes it. The check run
 * carries the verdict too, so a lost store can be rebuilt from GitHub.
 */
export async function startVerification(
  deps: FlowDeps,
  pr: PullRequest,
  installationId: number | null = null,
): Promise<VerificationRecord | null> {
  if (!pr.merged || pr.mergeSha === null) return null;
  const merged: MergedPullRequest = { ...pr, mergeSha: pr.mergeSha };
  const id = verificationId(deps.forge.repo, pr.number);
  const existing = await deps.store.getVerification(id);
  if (existing !== null) return existing;
  const own = await ownPlan(deps, pr);
  if (own.status === "foreign") return null;
  if (own.status === "tampered") {
    await refuseTamperedMerge(deps, merged, own.why);
    return null;
  }
  // The value verified and reverted is the one the merge commit holds (SPEC §5).
  const { plan, note } = await planAtMerge(deps, own.plan, pr.mergeSha);
  const mergedAt = pr.mergedAt ?? deps.now();
  const verdict = startVerdict(plan.verify, mergedAt);
  const checkRunId = await createVerifyCheck(deps, merged, plan, { id, verdict, note });
  const record = await storeVerification(
    deps,
    merged,
    plan,
    { installationId, checkRunId, verdict },
    startedSteps(plan, { mergedAt, note, planned: own.plan.after }),
  );
  await refreshTimeline(deps, plan.incident);
  return record;
}

/** Merged all the same, so a person must watch this rollout: say so where they will see it. */
async function refuseTamperedMerge(deps: FlowDeps, pr: MergedPullRequest, why: string): Promise<void> {
  await deps.forge.upsertComment(
    pr.number,
    TAMPERED_MARKER,
    `${TAMPERED_MARKER}\n${refusalFor("verify or revert this merge", why)}\n\nThis PR is merged: watch the rollout by hand.`,
  );
  await deps.forge.addLabels(pr.number, ["needs-human"]);
  await auditSteps(deps, [
    {
      kind: "verify.refused",
      incident: null,
      pr: pr.number,
      sha: pr.mergeSha,
      actor: "remedy",
      data: { why },
    },
  ]);
}

/** The `remedy/verify` check run on the merge commit, in progress, holding the verdict so far. */
async function createVerifyCheck(
  deps: FlowDeps,
  pr: MergedPullRequest,
  plan: Plan,
  start: { id: string; verdict: VerdictState; note: string | null },
): Promise<number> {
  const { id, verdict, note } = start;
  const check = await deps.forge.createCheckRun({
    name: VERIFY_CHECK,
    headSha: pr.mergeSha,
    status: "in_progress",
    title: "Verifying the rollout",
    summary: `Verifying ${plan.service} in ${plan.environment} after #${pr.number} (${plan.field} ${plan.before} → ${plan.after} as merged): ${plan.verify.checks.map((c) => c.name).join(", ")}. First evaluation at ${nextEvaluationAt(verdict)}.${note === null ? "" : `\n\n${note}`}`,
    text: verdictText(verdict, { id, mergeSha: pr.mergeSha }),
    externalId: id,
  });
  return check.id;
}

/** The merge as GitHub reported it (with the planned value when the merge holds another), then the start. */
function startedSteps(
  plan: Plan,
  merge: { mergedAt: string; note: string | null; planned: string },
): VerificationStep[] {
  return [
    {
      kind: "pr.merged",
      actor: "github",
      data: {
        mergedAt: merge.mergedAt,
        revert: plan.reverts !== undefined,
        field: plan.field,
        value: plan.after,
        ...(merge.note === null ? {} : { planned: merge.planned }),
      },
    },
    {
      kind: "verify.started",
      actor: "remedy",
      data: {
        checks: plan.verify.checks.map((c) => c.name),
        interval: plan.verify.intervalSeconds,
        soak: plan.verify.soakSeconds,
      },
    },
  ];
}

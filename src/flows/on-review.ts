import type { PullRequest } from "../forge/forge.js";
import type { LedgerEntry } from "../audit/index.js";
import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import type { Plan } from "../proposal/plan.js";
import { approvalGateOf, gateCheckRun, requestersOf } from "./approval-gate-of.js";
import { examineBranch } from "./examine-branch.js";
import { ownPlan } from "./own-plan.js";
import { headCheckRun } from "./record-revision.js";

export interface ReviewSignal {
  pr: PullRequest;
  reviewId: number;
  reviewer: string;
  state: "approved" | "changes_requested" | "commented" | "dismissed";
  submittedAt: string;
  /** The commit the review was given on: an approval counts for exactly that head. */
  commitSha: string | null;
}

/**
 * A review on a Remedy PR is the human gate at work: record who approved or asked for changes, with
 * the review id as the approval id, so the ledger shows which person let each change through.
 */
export async function onReview(deps: FlowDeps, review: ReviewSignal): Promise<LedgerEntry | null> {
  if (review.state === "commented") return null;
  const own = await ownPlan(deps, review.pr);
  if (own.status !== "own") return null;
  const { plan } = own;
  const latencySeconds = await latencyFromOpened(deps, review);
  const [entry] = await auditSteps(deps, [
    {
      kind: "review",
      incident: plan.incident,
      pr: review.pr.number,
      sha: review.commitSha !== null && /^[0-9a-f]{40}$/.test(review.commitSha) ? review.commitSha : null,
      actor: review.reviewer,
      data: {
        approvalId: review.reviewId,
        state: review.state,
        reviewer: review.reviewer,
        submittedAt: review.submittedAt,
        latencySeconds,
        change: { file: plan.target.file, field: plan.field, before: plan.before, after: plan.after },
      },
    },
  ]);
  if (plan.reverts === undefined && review.pr.state === "open") await regate(deps, review.pr, plan);
  return entry ?? null;
}

/**
 * With `separate_approver`, a review can be what releases (or, dismissed, holds again) the PR's
 * `remedy/policy`: the head is examined again and the run posted with the gate as it now stands.
 * PRs whose value nobody chose are left alone.
 */
async function regate(deps: FlowDeps, pr: PullRequest, plan: Plan): Promise<void> {
  const entries = await deps.audit.entries();
  if (requestersOf(entries, pr.number, deps.forge.repo, deps.botLogin).length === 0) return;
  const headSha = await deps.forge.branchHead(pr.head);
  if (headSha === null) return;
  const examination = await examineBranch(deps, pr, plan, headSha);
  const required = examination.policy?.separateApprover ?? false;
  if (!required) return;
  const shown = examination.plan ?? plan;
  const gate = await approvalGateOf(deps, pr, shown, required, entries);
  await deps.forge.createCheckRun(gateCheckRun(headCheckRun(examination, shown), gate));
}

/**
 * Seconds from the PR's `pr.opened` (or `revert.opened`) entry to this review, for the review
 * statistics; the PR's creation time when the ledger cannot be read or predates the PR.
 */
async function latencyFromOpened(deps: FlowDeps, review: ReviewSignal): Promise<number | null> {
  const entries = await deps.audit.entries().catch(() => []);
  const opened = entries.find(
    (e) =>
      e.repo === deps.forge.repo &&
      e.pr === review.pr.number &&
      (e.kind === "pr.opened" || (e.kind === "revert.opened" && typeof e.data.reverts === "number")),
  );
  const from = Date.parse(opened?.at ?? review.pr.createdAt);
  const to = Date.parse(review.submittedAt);
  if (Number.isNaN(from) || Number.isNaN(to)) return null;
  return Math.max(0, Math.round((to - from) / 1000));
}

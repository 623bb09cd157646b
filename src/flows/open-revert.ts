import { trailersFor } from "../audit/index.js";
import type { FinishPullRequestInput, PullRequest } from "../forge/forge.js";
import { editField, readField } from "../manifests/index.js";
import { parsePacket, renderPacket } from "../proposal/approval-packet.js";
import { fitTitle } from "../text/safe-text.js";
import { commitSubject, revertBranchName, type Plan } from "../proposal/plan.js";
import { revertPlan } from "../proposal/revert-plan.js";
import { revertOutcome, revertPreface } from "../proposal/revert-outcome.js";
import { planHash } from "../proposal/plan-hash.js";
import { auditSteps, type AuditStep } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { splitReviewers } from "./open-proposal.js";
import { vouchForBranch } from "./vouch-for-branch.js";
import { notRemedysPullRequest, publishChange, type Publication } from "./publish-change.js";

export type RevertResult =
  { status: "opened" | "reused"; pr: PullRequest } | { status: "conflict"; reason: string };

export interface RevertRequest {
  original: PullRequest;
  plan: Plan;
  /** Why: "verification failed: …" or "/rollback by @someone". */
  reason: string;
  /** Markdown with the failing figures, quoted in the packet. */
  figures?: string;
  actor: string;
}

/** The base as the revert finds it: the planned field still at the merged value, or not. */
type RevertBase =
  | { ok: true; base: string; baseSha: string; text: string }
  | { ok: false; base: string; current: string | null };

/**
 * Opens the PR that restores the exact previous value on the current base. If the field changed
 * since the merge, nothing is forced: the conflict is explained where the reviewers will see it.
 */
export async function openRevert(deps: FlowDeps, request: RevertRequest): Promise<RevertResult> {
  const { original, plan } = request;
  const branch = revertBranchName(original.mergeSha ?? original.head);
  const existing = await deps.forge.findPullRequest(branch);
  if (existing !== null && existing.author === deps.botLogin) return reuseRevert(deps, request, existing);
  if (existing !== null) return refuseRevertBranch(deps, request, branch, notRemedysPullRequest(existing));
  const onBase = await readRevertBase(deps, plan);
  if (!onBase.ok) return reportFieldChanged(deps, request, onBase);
  const revert = revertPlan(plan, { pr: original.number, mergeSha: original.mergeSha }, deps.now());
  const edited = editField(onBase.text, plan.target, plan.field, revert.after);
  if (!edited.ok) return { status: "conflict", reason: edited.reason };
  const packet = renderRevertPacket(request, revert, { before: onBase.text, after: edited.text });
  return publishChange(deps, revertPublication(deps, request, { ...onBase, branch, revert, packet }));
}

async function readRevertBase(deps: FlowDeps, plan: Plan): Promise<RevertBase> {
  const { forge } = deps;
  const base = await forge.defaultBranch();
  const baseSha = await forge.branchHead(base);
  const text = baseSha === null ? null : await forge.readFile(plan.target.file, baseSha);
  const current = text === null ? null : readField(text, plan.target, plan.field);
  if (baseSha === null || text === null || current === null || !current.ok || current.value !== plan.after)
    return { ok: false, base, current: current?.ok ? current.value : null };
  return { ok: true, base, baseSha, text };
}

/** The field moved since the merge: the original PR says so, the incident needs a human. */
async function reportFieldChanged(
  deps: FlowDeps,
  request: RevertRequest,
  onBase: Extract<RevertBase, { ok: false }>,
): Promise<RevertResult> {
  const { original, plan } = request;
  const { base, current } = onBase;
  const now = current !== null ? `\`${current}\`` : "unreadable";
  // Someone already put the old value back: say so, instead of asking them to do what they did.
  const reason =
    current === plan.revert.value
      ? `Remedy did not open a revert: the ${plan.field} in \`${plan.target.file}\` is already back to ${now} on \`${base}\`, the value before #${original.number}, so there is nothing left to revert.`
      : `Remedy did not open a revert: the ${plan.field} in \`${plan.target.file}\` is now ${now} on \`${base}\`, not \`${plan.after}\` as #${original.number} left it, so someone changed it after the merge. A forced revert could undo their change. Restore \`${plan.revert.value}\` by hand if that is still right.`;
  await tellRevertNotOpened(deps, request, reason);
  await auditSteps(deps, [
    {
      kind: "revert.opened",
      incident: plan.incident,
      pr: original.number,
      sha: original.mergeSha ?? original.head,
      actor: request.actor,
      data: { opened: false, reason: "field changed since merge", current },
    },
  ]);
  return { status: "conflict", reason };
}

function renderRevertPacket(
  request: RevertRequest,
  revert: Plan,
  edit: { before: string; after: string },
): (ledgerHead: string | undefined) => string {
  const outcome = revertOutcome(request, revert, edit);
  const preface = revertPreface(request);
  return (ledgerHead) =>
    renderPacket(outcome, { preface, ...(ledgerHead === undefined ? {} : { ledgerHead }) });
}

/** What a revert says at each step of publishing its branch and PR. */
function revertPublication(
  deps: FlowDeps,
  request: RevertRequest,
  at: {
    base: string;
    baseSha: string;
    branch: string;
    revert: Plan;
    packet: (ledgerHead: string | undefined) => string;
  },
): Publication<RevertResult> {
  const { original } = request;
  const { revert, branch } = at;
  return {
    plan: revert,
    branch,
    base: at.base,
    baseSha: at.baseSha,
    recheckBase: false,
    attempts: 1,
    // The revert's decision is recorded once the branch is its own, and the trailer names it.
    message: () => revertMessage(deps, request, revert),
    messageBeforeLock: false,
    title: fitTitle(`Revert "${original.title}"`),
    body: at.packet,
    finish: (_pr, sha) => revertFinish(deps, request, revert, sha),
    announce: (pr) => announceRevert(deps, request, revert, pr),
    record: (pr, sha) => [revertRecord(request, revert, pr, sha)],
    reuse: (pr) => reuseRevert(deps, request, pr),
    refuse: (why) => refuseRevertBranch(deps, request, branch, why),
    block: ({ blocked, moved }) =>
      Promise.resolve({
        status: "conflict",
        reason: moved === true ? `the branch ${branch} moved while Remedy committed the revert` : blocked,
      }),
    halfMade: (_what, error) => Promise.reject(error as Error),
    opened: (pr) => ({ status: "opened", pr }),
  };
}

async function announceRevert(
  deps: FlowDeps,
  request: RevertRequest,
  revert: Plan,
  pr: PullRequest,
): Promise<void> {
  const { original, plan } = request;
  await deps.forge.comment(
    original.number,
    `Remedy opened the revert ${pr.url}: ${commitSubject(revert)}.\n\n${request.reason}`,
  );
  if (plan.incident !== null)
    await deps.forge.comment(plan.incident, `Remedy opened the revert ${pr.url} for #${original.number}.`);
}

/**
 * Remedy's revert PR found again. One whose finish or ledger record never landed (a failed label,
 * check or link call, a crash) is completed now, as a half-made proposal is (SPEC §1 invariant 7):
 * only when its plan block is exactly the revert Remedy would write and its branch holds exactly that
 * edit, so a body edited or a branch pushed to in between is refused, never adopted (invariant 6).
 */
async function reuseRevert(deps: FlowDeps, request: RevertRequest, pr: PullRequest): Promise<RevertResult> {
  const { original, plan } = request;
  const entries = await deps.audit.entries();
  // Recorded, or no longer open (a person already merged or closed it): nothing left to complete.
  if (pr.state !== "open" || entries.some((e) => e.kind === "revert.opened" && e.pr === pr.number))
    return { status: "reused", pr };
  const written = parsePacket(pr.body);
  const revert =
    written === null
      ? null
      : revertPlan(plan, { pr: original.number, mergeSha: original.mergeSha }, written.createdAt);
  if (written === null || revert === null || planHash(written) !== planHash(revert))
    return refuseRevertBranch(
      deps,
      request,
      pr.head,
      `its PR #${pr.number} carries a plan block that is not the revert of #${original.number} Remedy wrote`,
    );
  const [baseSha, headSha] = await Promise.all([
    deps.forge.branchHead(pr.base),
    deps.forge.branchHead(pr.head),
  ]);
  if (baseSha === null || headSha === null)
    throw new Error(`the revert PR #${pr.number} has no base or head to complete; retrying`);
  const why =
    headSha === baseSha ? "it holds no commit" : await vouchForBranch(deps, revert, baseSha, headSha);
  if (why !== null) return refuseRevertBranch(deps, request, pr.head, why);
  deps.log.info({ incident: plan.incident, pr: pr.number }, "completing a half-made revert PR");
  await deps.forge.finishPullRequest(pr, revertFinish(deps, request, revert, headSha));
  await announceRevert(deps, request, revert, pr);
  await auditSteps(deps, [revertRecord(request, revert, pr, headSha)], { mustLand: true });
  return { status: "reused", pr };
}

/** The revert's labels, reviewers and passing `remedy/policy` check; a revert never auto-merges. */
function revertFinish(
  deps: FlowDeps,
  request: RevertRequest,
  revert: Plan,
  sha: string,
): FinishPullRequestInput {
  const { original, plan } = request;
  return {
    labels: [
      "remedy",
      "remedy:revert",
      `env:${plan.environment}`,
      `risk:${revert.risk}`,
      `service:${plan.service}`,
    ],
    reviewers: splitReviewers(plan.reviewers, deps.botLogin),
    checkRun: {
      name: "remedy/policy",
      headSha: sha,
      status: "completed",
      conclusion: "success",
      title: `Revert of #${original.number}`,
      summary: `Restores ${plan.field} ${revert.after} from before #${original.number}. ${request.reason}`,
    },
    autoMerge: false,
  };
}

/** The ledger record that makes the revert PR Remedy's. */
function revertRecord(request: RevertRequest, revert: Plan, pr: PullRequest, sha: string): AuditStep {
  const { original, plan } = request;
  return {
    kind: "revert.opened",
    incident: plan.incident,
    pr: pr.number,
    sha,
    actor: request.actor,
    data: {
      reverts: original.number,
      mergeSha: original.mergeSha ?? original.head,
      field: plan.field,
      restore: revert.after,
      reason: request.reason,
      planHash: planHash(revert),
    },
  };
}

/** The decision to revert is recorded first; the commit's trailer names it. */
async function revertMessage(deps: FlowDeps, request: RevertRequest, revert: Plan): Promise<string> {
  const { original, plan } = request;
  const mergeSha = original.mergeSha ?? original.head;
  const [entry] = await auditSteps(deps, [
    {
      kind: "decision",
      incident: plan.incident,
      pr: original.number,
      sha: mergeSha,
      actor: request.actor,
      data: { decision: "revert", reason: request.reason, field: plan.field, restore: revert.after },
    },
  ]);
  return `Revert "${original.title}"\n\nThis reverts commit ${mergeSha}.\n${request.reason}\n\n${trailersFor({ incident: plan.incident, evidence: plan.evidenceHash, audit: entry === undefined ? [] : [entry.hash] })}`;
}

async function tellRevertNotOpened(deps: FlowDeps, request: RevertRequest, reason: string): Promise<void> {
  await deps.forge.comment(
    request.original.number,
    `### Revert not opened\n${reason}\n\nWhy a revert was asked for: ${request.reason}`,
  );
  if (request.plan.incident !== null) await deps.forge.addLabels(request.plan.incident, ["needs-human"]);
}

/** A revert branch Remedy did not write is never used; the original PR says why and a person takes over. */
async function refuseRevertBranch(
  deps: FlowDeps,
  request: RevertRequest,
  branch: string,
  why: string,
): Promise<RevertResult> {
  const { original, plan } = request;
  const reason = `Remedy did not open a revert: the branch \`${branch}\` already exists and Remedy cannot vouch for it: ${why}. Delete it (after checking who pushed it), then comment \`/rollback\`, or restore \`${plan.revert.value}\` by hand.`;
  await tellRevertNotOpened(deps, request, reason);
  await auditSteps(deps, [
    {
      kind: "branch.refused",
      incident: plan.incident,
      pr: original.number,
      actor: request.actor,
      data: { branch, why },
    },
  ]);
  return { status: "conflict", reason };
}

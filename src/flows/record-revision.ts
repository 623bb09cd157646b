import type { LedgerEntry } from "../audit/index.js";
import type { CheckRunInput, PullRequest } from "../forge/forge.js";
import { commitSubject, type Plan } from "../proposal/plan.js";
import { planHash } from "../proposal/plan-hash.js";
import { revisePacket, type Revision } from "../proposal/revise-packet.js";
import { approvalGate, type ApprovalGate } from "../policy/separate-approver.js";
import { approvalGateOf, gateCheckRun, requestersOf } from "./approval-gate-of.js";
import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import type { BranchExamination } from "./examine-branch.js";
import { POLICY_CHECK } from "./open-proposal.js";
import { refreshTimeline } from "./refresh-timeline.js";
import { fitTitle } from "../text/safe-text.js";

export type Modification = Revision["modifications"][number];

/** Who changed the value of PR `pr` before merge, oldest first, from its `pr.updated` entries. */
export function modificationsOf(entries: readonly LedgerEntry[], pr: number, repo: string): Modification[] {
  return entries.flatMap((e) => {
    if (e.pr !== pr || e.repo !== repo || e.kind !== "pr.updated") return [];
    const { by, via, from, to } = e.data;
    if (typeof by !== "string" || typeof from !== "string" || typeof to !== "string" || from === to)
      return [];
    return [{ by, via: via === "set" ? ("set" as const) : ("push" as const), from, to }];
  });
}

/** What Remedy itself planned for PR `pr` (its `pr.opened` entry), or the plan's own values. */
export function plannedValue(
  entries: readonly LedgerEntry[],
  pr: number,
  plan: Plan,
): { before: string; after: string } {
  const opened = entries.find((e) => e.pr === pr && e.kind === "pr.opened");
  const { before, after } = opened?.data ?? {};
  return typeof before === "string" && typeof after === "string" ? { before, after } : plan;
}

/**
 * A Remedy PR whose value changed (a push or `/set`), or whose edit Remedy recomputed on a base that
 * changed the field (`rebase`: `reason` says what the base did; the value stays, so no "modified by"): the packet and the plan block follow the value
 * on the branch, the risk label follows its tier, and the ledger records who changed what with the
 * new plan's hash, so `ownPlan` keeps vouching for the block Remedy wrote.
 */
export async function recordRevision(
  deps: FlowDeps,
  pr: PullRequest,
  previous: Plan,
  examination: BranchExamination & { plan: Plan },
  change: { by: string; via: "push" | "set" } | { by: string; via: "rebase"; reason: string },
  entries: readonly LedgerEntry[],
): Promise<Plan> {
  const plan = examination.plan;
  const earlier = modificationsOf(entries, pr.number, deps.forge.repo);
  // A rebase keeps the value, so the base's pusher did not choose it.
  const chooser = change.via === "rebase" ? [] : [change.by];
  const gate = approvalGate({
    required: examination.policy?.separateApprover ?? false,
    approvals: plan.approvals,
    requesters: [...requestersOf(entries, pr.number, deps.forge.repo, deps.botLogin), ...chooser].filter(
      (r) => r !== deps.botLogin && r !== "remedy",
    ),
    reviews: [],
    reviewers: plan.reviewers,
  });
  const body = revisePacket(pr.body, plan, {
    ...(gate.applies ? { approvers: gate.detail } : {}),
    policy: examination.policy,
    protection: examination.protection.detail,
    diff: examination.diff,
    modifications:
      change.via === "rebase"
        ? earlier
        : [...earlier, { by: change.by, via: change.via, from: previous.after, to: plan.after }],
    planned: plannedValue(entries, pr.number, previous),
  });
  // The title follows the value too: a reviewer must not read "6 → 8" over a PR that now sets 10.
  const title = fitTitle(commitSubject(plan));
  await deps.forge.updatePullRequestBody(pr.number, body, title === pr.title ? undefined : title);
  if (plan.risk !== previous.risk) {
    await deps.forge.removeLabel(pr.number, `risk:${previous.risk}`).catch(() => undefined);
    await deps.forge.addLabels(pr.number, [`risk:${plan.risk}`]);
  }
  await auditSteps(
    deps,
    [
      {
        kind: "pr.updated",
        incident: plan.incident,
        pr: pr.number,
        sha: examination.headSha,
        actor: change.by,
        data: {
          by: change.by,
          via: change.via,
          field: plan.field,
          from: previous.after,
          to: plan.after,
          before: plan.before,
          ...(change.via === "rebase" ? { reason: change.reason } : {}),
          planHash: planHash(plan),
        },
      },
    ],
    { mustLand: true },
  );
  await refreshTimeline(deps, plan.incident);
  return plan;
}

/** `remedy/policy` on a head Remedy examined: success only when nothing is wrong with it. */
export function headCheckRun(examination: BranchExamination, plan: Plan): CheckRunInput {
  const ok = examination.problems.length === 0;
  const shown = examination.plan ?? plan;
  return {
    name: POLICY_CHECK,
    headSha: examination.headSha,
    status: "completed",
    conclusion: ok ? "success" : "failure",
    title: ok
      ? `Policy allows: ${commitSubject(shown)}`
      : `${examination.problems.length} problem${examination.problems.length === 1 ? "" : "s"} with this branch`,
    summary: ok
      ? `The branch holds exactly the one ${shown.field} edit (${shown.before} → ${shown.after}) and policy allows it. ${shown.approvals} approval(s) required. ${examination.protection.detail}`
      : `Remedy re-checked this head against \`${examination.baseSha.slice(0, 12)}\` on the base and will not pass it:\n\n${examination.problems.map((p) => `- ${p}`).join("\n")}\n\nFix the branch (or comment \`/set <value>\` to let Remedy write a value policy allows), and the next push is checked again.`,
    externalId: `remedy-head:${examination.headSha}`,
  };
}

/** Posts `remedy/policy` on an examined head, held in progress while separation of duties waits. */
export async function postHeadCheck(
  deps: FlowDeps,
  pr: PullRequest,
  plan: Plan,
  examination: BranchExamination,
): Promise<{ run: CheckRunInput; gate: ApprovalGate }> {
  const separate = examination.policy?.separateApprover ?? false;
  const gate = await approvalGateOf(deps, pr, plan, separate, await deps.audit.entries());
  const run = gateCheckRun(headCheckRun(examination, plan), gate);
  await deps.forge.createCheckRun(run);
  return { run, gate };
}

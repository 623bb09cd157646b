import type { PullRequest } from "../forge/forge.js";
import { unifiedDiff } from "../manifests/index.js";
import { evaluatePolicy, type PolicyResult } from "../policy/evaluate-policy.js";
import type { Plan } from "../proposal/plan.js";
import { proposedChangeOf } from "../proposal/proposed-change-of.js";
import { revisePlan } from "../proposal/revise-plan.js";
import { loadRepository } from "../repo/load-repository.js";
import { canAct } from "../signals/role.js";
import type { FlowDeps } from "./deps.js";
import { checkProtection } from "./open-proposal.js";
import { rateWindowStart, recentRemedyPrs } from "./recent-remedy-prs.js";
import { repoAt } from "./repo-at.js";
import { othersOnBranch, readBranchEdit, UNCHECKABLE } from "./vouch-for-branch.js";

export interface BranchExamination {
  baseSha: string;
  headSha: string;
  /** Everything that fails `remedy/policy`, each a sentence saying what to fix; empty when it passes. */
  problems: string[];
  /** The plan as the branch holds it (the branch's value, `before` from the current base); null without one edit. */
  plan: Plan | null;
  policy: PolicyResult | null;
  protection: { block: string | null; readable: boolean; detail: string };
  /** People (not Remedy) whose commits are on the branch, oldest first: the last one pushed this head. */
  pushers: string[];
  diff: string | null;
}

/**
 * A Remedy PR's branch as it stands, against the current base (SPEC §2 "Push to a Remedy PR"): it
 * must hold exactly one edit of the planned field, pushed only by people with write permission, and
 * the value on it must pass the current policy. Nothing is written.
 */
export async function examineBranch(
  deps: FlowDeps,
  pr: PullRequest,
  plan: Plan,
  headSha: string,
): Promise<BranchExamination> {
  const { forge } = deps;
  const problems: string[] = [];
  const baseSha = await forge.branchHead(pr.base);
  const protection = await checkProtection(deps, plan, pr.base);
  const none = {
    baseSha: baseSha ?? "",
    headSha,
    plan: null,
    policy: null,
    protection,
    pushers: [],
    diff: null,
  };
  if (baseSha === null) return { ...none, problems: [`the base branch \`${pr.base}\` does not exist`] };
  const comparison = await forge.compare(baseSha, headSha);
  const pushers = othersOnBranch(comparison, deps.botLogin);
  for (const pusher of pushers) {
    const role = pusher === "an unknown author" ? "none" : await forge.permission(pusher);
    if (!canAct(role))
      problems.push(
        `a commit on the branch is by ${pusher === "an unknown author" ? pusher : `@${pusher}`}, who has ${role} permission on this repository: only people with write permission may change a Remedy PR (remove the commit)`,
      );
  }
  if (comparison.truncated) {
    problems.push(`the branch ${UNCHECKABLE}`);
    return { ...none, problems, pushers };
  }
  const { edit, baseText, headText } = await readBranchEdit(forge, plan, comparison.files, baseSha, headSha);
  if (edit.kind === "unchanged")
    problems.push(
      `the branch no longer changes the ${plan.field} in \`${plan.target.file}\` against \`${pr.base}\` (nothing to merge)`,
    );
  if (edit.kind === "invalid")
    problems.push(...edit.problems.map((p) => `${p}: a Remedy PR may hold only the one planned field edit`));
  if (edit.kind !== "edit") return { ...none, problems, pushers };

  if (plan.reverts !== undefined && (edit.value !== plan.after || edit.before !== plan.before))
    problems.push(
      `a revert must restore exactly \`${plan.after}\` over \`${plan.before}\`; the branch sets \`${edit.before}\` → \`${edit.value}\``,
    );
  const policy = await policyForValue(deps, pr, plan, baseSha, edit);
  if ("error" in policy) {
    problems.push(policy.error);
    return { ...none, problems, pushers };
  }
  for (const rule of policy.rules.filter((r) => r.result === "fail"))
    problems.push(`policy refuses \`${edit.value}\`: ${rule.rule} — ${rule.detail}`);
  if (protection.block !== null)
    problems.push(
      `the base branch \`${pr.base}\` requires no approving review, so nothing would stop this ${plan.environment} change from merging unreviewed`,
    );
  else if (!protection.readable)
    problems.push(`the branch rules of \`${pr.base}\` cannot be read (${protection.detail})`);
  return {
    baseSha,
    headSha,
    problems,
    plan: revisePlan(plan, { before: edit.before, after: edit.value }, policy),
    policy,
    protection,
    pushers,
    diff: baseText === null || headText === null ? null : unifiedDiff(plan.target.file, baseText, headText),
  };
}

/**
 * The current policy (read on the base) for one value of the PR's field. The rate limit counts PRs
 * opened, and this one was counted when it was opened: a changed value on it is judged by every
 * other rule and by the PRs opened before it, not refused for its own existence.
 */
export async function policyForValue(
  deps: FlowDeps,
  pr: PullRequest,
  plan: Plan,
  baseSha: string,
  value: { before: string; value: string },
): Promise<PolicyResult | { error: string }> {
  const { forge } = deps;
  const repository = await loadRepository(repoAt(forge, baseSha)).catch((error: Error) => error);
  if (repository instanceof Error)
    return { error: `the policy cannot be read on \`${pr.base}\`: ${repository.message}` };
  const recentPrs = recentRemedyPrs(
    await forge.listRemedyPullRequests(rateWindowStart(deps.now())),
    deps.now(),
    pr.number,
  ).filter((p) => p.openedAt < pr.createdAt);
  return evaluatePolicy(
    repository.policy,
    proposedChangeOf(plan, { before: value.before, after: value.value }),
    repository.config.services[plan.service]?.owners ?? [],
    { now: deps.now(), recentPrs },
  );
}

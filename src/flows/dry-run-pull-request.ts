import { readField } from "../manifests/index.js";
import { evaluatePolicy } from "../policy/evaluate-policy.js";
import { renderPolicy, renderVerificationPlan } from "../proposal/approval-packet.js";
import { table } from "../proposal/markdown.js";
import { proposedChangeOf } from "../proposal/proposed-change-of.js";
import { loadRepository } from "../repo/load-repository.js";
import type { PullRequest } from "../forge/forge.js";
import type { FlowDeps } from "./deps.js";
import { examineBranch } from "./examine-branch.js";
import { ownPlan } from "./own-plan.js";
import { describeChange } from "./plan-incident.js";
import { planFromPullRequest } from "./plan-from-pull-request.js";
import { rateWindowStart, recentRemedyPrs } from "./recent-remedy-prs.js";
import { repoAt } from "./repo-at.js";

const MARKER = "<!-- remedy:pr-dry-run -->";

/** `/dry-run` on a PR: the change found, the policy decision against the current base, the checks. No writes but the reply. */
export async function dryRunPullRequest(deps: FlowDeps, number: number): Promise<void> {
  const { forge } = deps;
  const pr = await forge.getPullRequest(number);
  if (pr === null) return;
  if (pr.state === "open" && (await dryRunOwnBranch(deps, pr))) return;
  const found = await planFromPullRequest(deps, pr);
  if ("problem" in found) {
    await forge.upsertComment(
      number,
      MARKER,
      `${MARKER}\n### Remedy dry run\nNothing to evaluate: ${found.problem}`,
    );
    return;
  }
  const { plan } = found;
  const base = await forge.defaultBranch();
  const baseSha = (await forge.branchHead(base)) as string;
  const repository = await loadRepository(repoAt(forge, baseSha));
  const text = await forge.readFile(plan.target.file, baseSha);
  const current = text === null ? null : readField(text, plan.target, plan.field);
  const drift =
    current?.ok && current.value !== plan.before && !pr.merged
      ? `\n\n⚠️ The base now has ${plan.field} \`${current.value}\`, not \`${plan.before}\` as this PR assumed.`
      : "";
  const recentPrs = recentRemedyPrs(
    await forge.listRemedyPullRequests(rateWindowStart(deps.now())),
    deps.now(),
    number,
  );
  const policy = evaluatePolicy(
    repository.policy,
    proposedChangeOf(plan),
    repository.config.services[plan.service]?.owners ?? [],
    { now: deps.now(), recentPrs },
  );
  const body = [
    MARKER,
    `### Remedy dry run for #${number}`,
    `Change: ${describeChange(plan)}.${drift}`,
    table(["file", "field", "before", "after"], [[plan.target.file, plan.field, plan.before, plan.after]]),
    `#### Policy (against the current base)\n${renderPolicy(policy)}`,
    `#### Verification plan\n${renderVerificationPlan(plan)}`,
    "Nothing was written.",
  ].join("\n\n");
  await forge.upsertComment(number, MARKER, body);
}

/**
 * An open Remedy PR: the branch as it stands against the current base, exactly what `remedy/policy`
 * would say of its head (the value on the branch, not the one first planned). False when the PR is
 * not one Remedy can vouch for, so the caller explains.
 */
async function dryRunOwnBranch(deps: FlowDeps, pr: PullRequest): Promise<boolean> {
  const own = await ownPlan(deps, pr);
  if (own.status !== "own") return false;
  const headSha = await deps.forge.branchHead(pr.head);
  if (headSha === null) return false;
  const examination = await examineBranch(deps, pr, own.plan, headSha);
  const shown = examination.plan;
  const lines = [
    MARKER,
    `### Remedy dry run for #${pr.number}`,
    `The branch \`${pr.head}\` at \`${headSha.slice(0, 12)}\` against \`${pr.base}\` at \`${examination.baseSha.slice(0, 12)}\`, as it stands now.`,
  ];
  if (shown !== null) {
    const differs = shown.after !== own.plan.after || shown.before !== own.plan.before;
    lines.push(
      `Change on the branch: ${describeChange(shown)}.${differs ? ` (The plan said ${own.plan.before} → ${own.plan.after}.)` : ""}`,
      table(
        ["file", "field", "before", "after"],
        [[shown.target.file, shown.field, shown.before, shown.after]],
      ),
    );
    if (examination.policy !== null)
      lines.push(
        `#### Policy (against the current base)\n${renderPolicy(examination.policy, examination.protection.detail)}`,
      );
  }
  lines.push(
    examination.problems.length === 0
      ? "`remedy/policy` would pass on this head."
      : `\`remedy/policy\` would fail on this head:\n${examination.problems.map((p) => `- ${p}`).join("\n")}`,
    `#### Verification plan\n${renderVerificationPlan(shown ?? own.plan)}`,
    "Nothing was written.",
  );
  await deps.forge.upsertComment(pr.number, MARKER, lines.join("\n\n"));
  return true;
}

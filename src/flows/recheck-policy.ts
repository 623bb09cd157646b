import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { checkProtection, policyCheckRun } from "./open-proposal.js";
import { ownPlan } from "./own-plan.js";

export type RecheckResult = "rechecked" | "not-remedy" | "closed";

/**
 * "Re-run" on a Remedy PR's `remedy/policy` check: the base branch's rules are read again and a new
 * run goes on the same commit, passing once a human gate is in place (the run's own text tells
 * people to do this after fixing the rules or Remedy's permissions).
 */
export async function recheckPolicy(
  deps: FlowDeps,
  prNumber: number,
  headSha: string,
): Promise<RecheckResult> {
  const pr = await deps.forge.getPullRequest(prNumber);
  const own = pr === null ? null : await ownPlan(deps, pr);
  const plan = own?.status === "own" ? own.plan : null;
  if (pr === null || plan === null || plan.reverts !== undefined) return "not-remedy";
  if (pr.state !== "open") return "closed";
  const protection = await checkProtection(deps, plan, pr.base);
  const run = policyCheckRun(plan, protection, pr.base, headSha);
  await deps.forge.createCheckRun(run);
  await auditSteps(deps, [
    {
      kind: "policy.rechecked",
      incident: plan.incident,
      pr: pr.number,
      sha: headSha,
      actor: "github",
      data: { conclusion: run.conclusion ?? null, detail: protection.detail },
    },
  ]);
  return "rechecked";
}

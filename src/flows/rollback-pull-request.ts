import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { openRevert } from "./open-revert.js";
import { planFromPullRequest } from "./plan-from-pull-request.js";

/** `/rollback` on a merged PR: the same revert PR a failed verification would open. */
export async function rollbackPullRequest(deps: FlowDeps, number: number, actor: string): Promise<void> {
  const pr = await deps.forge.getPullRequest(number);
  if (pr === null) return;
  if (!pr.merged) {
    await deps.forge.comment(
      number,
      "This PR is not merged, so there is nothing to roll back: close it instead (Remedy never closes PRs on its own).",
    );
    return;
  }
  const found = await planFromPullRequest(deps, pr);
  if ("problem" in found) {
    await deps.forge.comment(number, `Remedy cannot roll this PR back: ${found.problem}`);
    return;
  }
  await auditSteps(deps, [
    { kind: "command", incident: found.plan.incident, pr: number, actor, data: { command: "rollback" } },
  ]);
  const result = await openRevert(deps, {
    original: pr,
    plan: found.plan,
    reason: `/rollback requested by @${actor}.`,
    actor,
  });
  if (result.status === "reused")
    await deps.forge.comment(number, `The revert is already open: ${result.pr.url}`);
}

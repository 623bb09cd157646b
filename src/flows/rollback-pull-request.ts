import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { openRevert } from "./open-revert.js";
import { planFromPullRequest } from "./plan-from-pull-request.js";
import { noRevertReason } from "../proposal/no-revert-reason.js";

/** `/rollback` on a merged PR: the same revert PR a failed verification would open. */
export async function rollbackPullRequest(
  deps: FlowDeps,
  number: number,
  actor: string,
  options: { force?: boolean } = {},
): Promise<void> {
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
  const force = options.force === true;
  const noRevert = noRevertReason(found.plan, pr.labels);
  if (found.plan.action === "restart") {
    await deps.forge.comment(
      number,
      `Remedy does not roll back a restart: ${noRevert ?? "it has no previous state"}. If the workload is still unhealthy, look at it or open an incident for a different action.`,
    );
    return;
  }
  if (noRevert !== null && !force) {
    await deps.forge.comment(
      number,
      `### Rollback needs a human decision\nThis change cannot simply be undone: ${noRevert}. Setting \`${found.plan.target.file}\` back to \`${found.plan.revert.value}\` may not restore the previous state (a migrated schema or a rewritten data format stays as it is).\n\nIf you have checked that going back is safe, comment \`/rollback --force\` and Remedy opens the revert PR, gated like any other.`,
    );
    return;
  }
  await auditSteps(deps, [
    {
      kind: "command",
      incident: found.plan.incident,
      pr: number,
      actor,
      data: { command: "rollback", ...(noRevert !== null ? { force: true } : {}) },
    },
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

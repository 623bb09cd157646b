import type { LedgerEntry } from "../audit/index.js";
import type { PullRequest } from "../forge/forge.js";
import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { ownPlan } from "./own-plan.js";
import { refreshTimeline } from "./refresh-timeline.js";

/**
 * A Remedy PR closed without merge is a rejection (SPEC §2): the ledger records `pr.closed`, and the
 * incident hears that the field is free again (the one-PR-per-field rule counts only open PRs).
 */
export async function onPullRequestClosed(deps: FlowDeps, pr: PullRequest): Promise<LedgerEntry | null> {
  if (pr.merged) return null;
  const own = await ownPlan(deps, pr);
  if (own.status !== "own") return null;
  const { plan } = own;
  const [entry] = await auditSteps(deps, [
    {
      kind: "pr.closed",
      incident: plan.incident,
      pr: pr.number,
      actor: "github",
      data: {
        revert: plan.reverts !== undefined,
        service: plan.service,
        environment: plan.environment,
        file: plan.target.file,
        field: plan.field,
        value: plan.after,
        stale: pr.labels.includes("remedy:stale"),
      },
    },
  ]);
  // The timeline first, so the rejection is the last word on the incident.
  await refreshTimeline(deps, plan.incident);
  if (plan.incident !== null)
    await deps.forge.comment(
      plan.incident,
      `#${pr.number} (${plan.field} ${plan.before} → ${plan.after}) was closed without merging. Remedy recorded it as a rejection; the ${plan.field} of ${plan.service} in ${plan.environment} is free for a later proposal (\`/diagnose\` plans again).`,
    );
  return entry ?? null;
}

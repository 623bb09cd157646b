import type { PullRequest } from "../forge/forge.js";
import { parsePacket } from "../proposal/approval-packet.js";
import type { Plan } from "../proposal/plan.js";
import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { ownPlan } from "./own-plan.js";
import { PausedWriteError } from "../forge/pausing-forge.js";

export const STALE_LABEL = "remedy:stale";
const STALE_MARKER = "<!-- remedy:stale -->";

/** Remedy's own open PRs (not reverts) for incident issue `incident`. */
export async function openRemedyPrsFor(
  deps: FlowDeps,
  incident: number,
): Promise<Array<{ pr: PullRequest; plan: Plan }>> {
  const listed = await deps.forge.listRemedyPullRequests(deps.now());
  const entries = await deps.audit.entries();
  const found: Array<{ pr: PullRequest; plan: Plan }> = [];
  for (const pr of listed) {
    if (pr.state !== "open" || parsePacket(pr.body)?.incident !== incident) continue;
    const own = await ownPlan(deps, pr, entries);
    if (own.status === "own" && own.plan.reverts === undefined) found.push({ pr, plan: own.plan });
  }
  return found;
}

/**
 * The reason for a PR went away while it was open (SPEC §2 "Stale PR"): it is labelled
 * `remedy:stale`, converted to a draft so nothing (auto-merge included) merges it by accident, and
 * told why. Reviewers still decide: Remedy never closes it.
 */
export async function markStale(
  deps: FlowDeps,
  incident: number,
  reason: string,
  actor: string,
): Promise<number[]> {
  const marked: number[] = [];
  for (const { pr, plan } of await openRemedyPrsFor(deps, incident)) {
    if (pr.labels.includes(STALE_LABEL)) continue;
    if (await paused(deps, pr, () => deps.forge.addLabels(pr.number, [STALE_LABEL]))) continue;
    await deps.forge.setDraft(pr.number, true);
    await deps.forge.upsertComment(
      pr.number,
      STALE_MARKER,
      `${STALE_MARKER}\n### This PR is stale\n${reason}, so the change it proposes (${plan.field} ${plan.before} → ${plan.after}) may no longer be needed. Remedy converted it to a draft and labelled it \`${STALE_LABEL}\`: nothing merges it by accident. If the alert fires again, Remedy makes it ready for review again. If the change is still wanted, mark it ready for review yourself; if not, close it, which releases the ${plan.field} of ${plan.service} in ${plan.environment} for later incidents.`,
    );
    await auditSteps(deps, [
      {
        kind: "pr.stale",
        incident,
        pr: pr.number,
        actor,
        data: { stale: true, reason, field: plan.field, value: plan.after },
      },
    ]);
    marked.push(pr.number);
  }
  return marked;
}

/** The alert fires again: Remedy's stale PRs for the incident are ready for review again. */
export async function markFresh(
  deps: FlowDeps,
  incident: number,
  reason: string,
  actor: string,
): Promise<number[]> {
  const freshened: number[] = [];
  for (const { pr } of await openRemedyPrsFor(deps, incident)) {
    if (!pr.labels.includes(STALE_LABEL)) continue;
    if (await paused(deps, pr, () => deps.forge.removeLabel(pr.number, STALE_LABEL))) continue;
    await deps.forge.setDraft(pr.number, false);
    await deps.forge.upsertComment(
      pr.number,
      STALE_MARKER,
      `${STALE_MARKER}\n### No longer stale\n${reason}: Remedy marked this PR ready for review again and removed \`${STALE_LABEL}\`.`,
    );
    await auditSteps(deps, [
      { kind: "pr.stale", incident, pr: pr.number, actor, data: { stale: false, reason } },
    ]);
    freshened.push(pr.number);
  }
  return freshened;
}

/** Runs the first write; true when the App is paused (REMEDY_MODE), so the PR is left as it is. */
async function paused(deps: FlowDeps, pr: PullRequest, write: () => Promise<void>): Promise<boolean> {
  try {
    await write();
    return false;
  } catch (error) {
    if (!(error instanceof PausedWriteError)) throw error;
    deps.log.info({ pr: pr.number, reason: error.reason }, "stale state not changed: Remedy is paused");
    return true;
  }
}

import type { LedgerEntry } from "../audit/index.js";
import type { PullRequest } from "../forge/forge.js";
import { parsePacket } from "../proposal/approval-packet.js";
import type { Plan } from "../proposal/plan.js";
import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { ownPlan } from "./own-plan.js";
import { PausedWriteError } from "../forge/pausing-forge.js";
import { pauseOf, repositoryPause } from "./pause-of.js";
import { refreshTimeline } from "./refresh-timeline.js";

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
    if (await markPullRequestStale(deps, pr, plan, reason, actor)) marked.push(pr.number);
  }
  return marked;
}

/**
 * One of Remedy's open PRs is stale: labelled, converted to a draft, told why, recorded. With
 * `moot`, the base already holds the PR's value (SPEC §2: "the PR says so and stays draft"): a
 * re-firing does not make it ready again. False when Remedy is paused and nothing was written.
 */
export async function markPullRequestStale(
  deps: FlowDeps,
  pr: PullRequest,
  plan: Plan,
  reason: string,
  actor: string,
  moot = false,
): Promise<boolean> {
  if (await paused(deps, pr, plan.incident, () => deps.forge.addLabels(pr.number, [STALE_LABEL])))
    return false;
  await deps.forge.setDraft(pr.number, true);
  const consequence = moot
    ? `${reason}, so the change it proposes (${plan.field} ${plan.before} → ${plan.after}) is moot: merging it would change nothing. Remedy converted it to a draft and labelled it \`${STALE_LABEL}\`, and it stays a draft even if the alert fires again. Close it, which releases the ${plan.field} of ${plan.service} in ${plan.environment} for later incidents.`
    : `${reason}, so the change it proposes (${plan.field} ${plan.before} → ${plan.after}) may no longer be needed. Remedy converted it to a draft and labelled it \`${STALE_LABEL}\`: nothing merges it by accident. If the alert fires again, Remedy makes it ready for review again. If the change is still wanted, mark it ready for review yourself; if not, close it, which releases the ${plan.field} of ${plan.service} in ${plan.environment} for later incidents.`;
  await deps.forge.upsertComment(
    pr.number,
    STALE_MARKER,
    `${STALE_MARKER}\n### This PR is stale\n${consequence}`,
  );
  await auditSteps(deps, [
    {
      kind: "pr.stale",
      incident: plan.incident,
      pr: pr.number,
      actor,
      data: { stale: true, reason, field: plan.field, value: plan.after, ...(moot ? { moot: true } : {}) },
    },
  ]);
  await refreshTimeline(deps, plan.incident);
  return true;
}

/**
 * After a resume: a reason for the incident's PRs that went away while Remedy was paused (the issue
 * closed, the alert group resolved) makes them stale now, as it would have then. Already stale PRs
 * are left as they are; none of these writes happens while a level above is still paused.
 */
export async function staleAfterResume(deps: FlowDeps, incident: number, actor: string): Promise<number[]> {
  const issue = await deps.forge.getIssue(incident);
  if (issue?.state === "closed")
    return markStale(
      deps,
      incident,
      `The incident issue #${incident} was closed while Remedy was paused`,
      actor,
    );
  const lastAlert = (await deps.audit.entries())
    .filter((e) => e.kind === "signal" && e.incident === incident && e.data.source === "alertmanager")
    .at(-1);
  if (lastAlert?.data.status === "resolved")
    return markStale(deps, incident, "The alert group resolved while Remedy was paused", actor);
  return [];
}

/** Whether the latest `pr.stale` record of PR `pr` says its change is moot (the base holds its value). */
export function isMoot(entries: readonly LedgerEntry[], pr: number): boolean {
  const latest = entries.filter((e) => e.pr === pr && e.kind === "pr.stale").at(-1);
  return latest?.data.stale === true && latest.data.moot === true;
}

/** The alert fires again: Remedy's stale PRs for the incident are ready for review again. */
export async function markFresh(
  deps: FlowDeps,
  incident: number,
  reason: string,
  actor: string,
): Promise<number[]> {
  const freshened: number[] = [];
  const entries = await deps.audit.entries();
  for (const { pr } of await openRemedyPrsFor(deps, incident)) {
    if (!pr.labels.includes(STALE_LABEL)) continue;
    // The base already holds its value: a re-firing does not make merging it change anything.
    if (isMoot(entries, pr.number)) continue;
    if (await markPullRequestFresh(deps, pr, incident, reason, actor)) freshened.push(pr.number);
  }
  return freshened;
}

/** One stale PR is ready for review again, told why and recorded; false when Remedy is paused. */
export async function markPullRequestFresh(
  deps: FlowDeps,
  pr: PullRequest,
  incident: number | null,
  reason: string,
  actor: string,
): Promise<boolean> {
  if (await paused(deps, pr, incident, () => deps.forge.removeLabel(pr.number, STALE_LABEL))) return false;
  await deps.forge.setDraft(pr.number, false);
  await deps.forge.upsertComment(
    pr.number,
    STALE_MARKER,
    `${STALE_MARKER}\n### No longer stale\n${reason}: Remedy marked this PR ready for review again and removed \`${STALE_LABEL}\`.`,
  );
  await auditSteps(deps, [
    { kind: "pr.stale", incident, pr: pr.number, actor, data: { stale: false, reason } },
  ]);
  await refreshTimeline(deps, incident);
  return true;
}

/**
 * Runs the first write; true when Remedy is paused for this PR (SPEC §1 invariant 8: `REMEDY_MODE`,
 * `mode: off`, the breaker, or a pause of the PR or its incident), so the PR is left as it is.
 */
async function paused(
  deps: FlowDeps,
  pr: PullRequest,
  incident: number | null,
  write: () => Promise<void>,
): Promise<boolean> {
  const pause =
    (await repositoryPause(deps)) ?? (await pauseOf(deps, { incident, pr: pr.number, labels: pr.labels }));
  if (pause !== null) {
    deps.log.info({ pr: pr.number, reason: pause.reason }, "stale state not changed: Remedy is paused");
    return true;
  }
  try {
    await write();
    return false;
  } catch (error) {
    if (!(error instanceof PausedWriteError)) throw error;
    deps.log.info({ pr: pr.number, reason: error.reason }, "stale state not changed: Remedy is paused");
    return true;
  }
}

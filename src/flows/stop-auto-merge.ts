import { parsePacket } from "../proposal/approval-packet.js";
import type { FlowDeps } from "./deps.js";

export type AutoMergeScope = { pr: number } | { incident: number } | { repo: true };

/**
 * Turns auto-merge off on Remedy's open PRs in a scope that has just been paused (`/pause`, the
 * `remedy:paused` label, the circuit breaker). This IS a write in a paused scope, and the one that
 * makes the pause true: auto-merge enabled before the pause would otherwise merge the PR as soon as it
 * is approved. Only Remedy's own PRs (its App opened them) are touched; turning auto-merge off on one
 * that never had it changes nothing. Returns the PRs GitHub confirmed, and those it refused.
 */
export async function stopAutoMerge(
  deps: FlowDeps,
  scope: AutoMergeScope,
): Promise<{ stopped: number[]; failed: number[] }> {
  const prs = await prsIn(deps, scope);
  const stopped: number[] = [];
  const failed: number[] = [];
  for (const pr of prs) ((await deps.forge.disableAutoMerge(pr)) ? stopped : failed).push(pr);
  if (failed.length > 0)
    deps.log.warn({ failed }, "could not turn auto-merge off on a paused Remedy PR; turn it off on GitHub");
  return { stopped, failed };
}

async function prsIn(deps: FlowDeps, scope: AutoMergeScope): Promise<number[]> {
  if ("pr" in scope) return [scope.pr];
  const open = (await deps.forge.listRemedyPullRequests(deps.now())).filter(
    (pr) => pr.state === "open" && pr.author === deps.botLogin,
  );
  if ("repo" in scope) return open.map((pr) => pr.number);
  return open.filter((pr) => parsePacket(pr.body)?.incident === scope.incident).map((pr) => pr.number);
}

/** The sentence the pause's acknowledgement adds about auto-merge; empty when nothing was touched. */
export function autoMergeNote(result: { stopped: number[]; failed: number[] }): string {
  const list = (prs: number[]) => prs.map((n) => `#${n}`).join(", ");
  const parts: string[] = [];
  if (result.stopped.length > 0) parts.push(`Auto-merge is off on ${list(result.stopped)}.`);
  if (result.failed.length > 0)
    parts.push(
      `GitHub refused to turn auto-merge off on ${list(result.failed)}: if it is on, turn it off on the PR page.`,
    );
  return parts.join(" ");
}

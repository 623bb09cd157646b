import type { LedgerEntry } from "../audit/index.js";
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

/** PRs Remedy recorded as opened that are looked up beyond the label listing, newest first. */
const MAX_UNLISTED = 50;

/**
 * The open Remedy PRs of the scope. The `remedy` label (anyone with triage can remove it) and the
 * body's plan block (a writer can edit it) only add PRs; the ledger's own record of each PR Remedy
 * opened, and for which incident, is what no edit can take out of the scope.
 */
async function prsIn(deps: FlowDeps, scope: AutoMergeScope): Promise<number[]> {
  if ("pr" in scope) return [scope.pr];
  const [listed, entries] = await Promise.all([
    deps.forge.listRemedyPullRequests(deps.now()),
    deps.audit.entries().catch(() => []),
  ]);
  const open = listed.filter((pr) => pr.state === "open" && pr.author === deps.botLogin);
  const listedOpen = new Set(open.map((pr) => pr.number));
  const chosen = new Set(
    open
      .filter((pr) => "repo" in scope || parsePacket(pr.body)?.incident === scope.incident)
      .map((pr) => pr.number),
  );
  const recorded = stillOpenPerLedger(entries)
    .filter((r) => "repo" in scope || r.incident === scope.incident)
    .map((r) => r.pr);
  for (const pr of recorded) if (listedOpen.has(pr)) chosen.add(pr);
  // Recorded but not listed (its label removed): read, newest first and bounded, to confirm it is open.
  const unlisted = recorded.filter((pr) => !listedOpen.has(pr)).slice(-MAX_UNLISTED);
  for (const pr of unlisted) {
    const found = await deps.forge.getPullRequest(pr).catch(() => null);
    if (found !== null && found.state === "open" && found.author === deps.botLogin) chosen.add(pr);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** PRs the ledger says Remedy opened (with their incident) and has not seen merged or closed, oldest first. */
function stillOpenPerLedger(entries: readonly LedgerEntry[]): Array<{ pr: number; incident: number | null }> {
  const open = new Map<number, number | null>();
  for (const entry of entries) {
    if (entry.pr === null) continue;
    if ((entry.kind === "pr.opened" || entry.kind === "revert.opened") && entry.data.opened !== false)
      open.set(entry.pr, open.get(entry.pr) ?? entry.incident);
    else if (entry.kind === "pr.merged" || entry.kind === "pr.closed") open.delete(entry.pr);
  }
  return [...open].map(([pr, incident]) => ({ pr, incident }));
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

import type { FlowDeps } from "./deps.js";
import { recheckPolicy, type RecheckResult } from "./recheck-policy.js";

export type HeadResult = RecheckResult;

/**
 * A new head (or an edited body) on a Remedy PR is re-checked. Forwarding body from the `steps`
 * lane: the `living` lane's version (the diff and value re-check, SPEC §2) replaces it.
 */
export async function onPullRequestHead(
  deps: FlowDeps,
  event: { pr: number; headSha: string; action: "synchronize" | "edited" | "reopened" },
): Promise<HeadResult> {
  return recheckPolicy(deps, event.pr, event.headSha);
}

import type { PullRequest } from "../forge/forge.js";
import type { FlowDeps } from "./deps.js";

/**
 * A Remedy PR closed without merge. Forwarding body from the `steps` lane: nothing happens yet; the
 * `living` lane's version (ledger `pr.closed`, the field released, SPEC §2) replaces it.
 */
export async function onPullRequestClosed(_deps: FlowDeps, _pr: PullRequest): Promise<unknown> {
  return null;
}

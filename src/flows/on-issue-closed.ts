import type { FlowDeps } from "./deps.js";

/**
 * A person closed an incident issue. Forwarding body from the `steps` lane: nothing happens yet; the
 * `living` lane's version (stale PRs, SPEC §2) replaces it.
 */
export async function onIssueClosed(_deps: FlowDeps, _issueNumber: number): Promise<unknown> {
  return null;
}

import type { FlowDeps } from "./deps.js";
import { markStale } from "./stale-pull-requests.js";

/**
 * A person closed an incident issue while Remedy's PR for it is open: the PR is stale (SPEC §2).
 * Returns the PRs marked stale; null when the issue is not an incident.
 */
export async function onIssueClosed(deps: FlowDeps, issueNumber: number): Promise<number[] | null> {
  const issue = await deps.forge.getIssue(issueNumber);
  if (issue === null || !issue.labels.includes("incident")) return null;
  return markStale(deps, issueNumber, `The incident issue #${issueNumber} was closed`, "github");
}

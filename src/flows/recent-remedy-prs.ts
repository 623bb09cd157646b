import type { PullRequest } from "../forge/forge.js";
import type { FlowDeps } from "./deps.js";

export interface RecentPr {
  service: string;
  environment: string;
  openedAt: string;
  /** From Remedy's branch name `remedy/<service>-<environment>-<action>-<key>`, when it is one. */
  action?: string;
}

/** How far back `listRemedyPullRequests` must reach for the rate limit. */
export function rateWindowStart(now: string): string {
  return new Date(Date.parse(now) - 3_600_000).toISOString();
}

/**
 * Remedy PRs opened in the hour before `now`, by the `service:` and `env:` labels Remedy puts on them:
 * what the policy's rate limit counts. Reverts do not count against it.
 */
export function recentRemedyPrs(prs: readonly PullRequest[], now: string, except?: number): RecentPr[] {
  const since = rateWindowStart(now);
  return prs.flatMap((pr) => {
    if (pr.createdAt < since || pr.number === except || pr.labels.includes("remedy:revert")) return [];
    const service = pr.labels.find((l) => l.startsWith("service:"))?.slice("service:".length);
    const environment = pr.labels.find((l) => l.startsWith("env:"))?.slice("env:".length);
    if (!service || !environment) return [];
    const action = actionOf(pr.head, service, environment);
    return [{ service, environment, openedAt: pr.createdAt, ...(action === undefined ? {} : { action }) }];
  });
}

const ACTIONS = ["scale", "set-image", "rollback-image", "restart"] as const;

function actionOf(branch: string, service: string, environment: string): string | undefined {
  const prefix = `remedy/${service}-${environment}-`;
  if (!branch.startsWith(prefix)) return undefined;
  const rest = branch.slice(prefix.length);
  return ACTIONS.find((action) => new RegExp(`^${action}-[0-9a-f]{8}$`).test(rest));
}

/**
 * Remedy's PRs (open, and the last hour's) as the rate limit and the one-PR-per-field rule count them:
 * only those Remedy's own App opened. A `remedy` label on someone else's PR counts for nothing.
 */
export async function ownRemedyPrs(deps: FlowDeps): Promise<PullRequest[]> {
  const listed = await deps.forge.listRemedyPullRequests(rateWindowStart(deps.now()));
  return listed.filter((pr) => pr.author === deps.botLogin);
}

/** Whether two listings hold the same PRs in the same states. */
export function samePullRequests(a: readonly PullRequest[], b: readonly PullRequest[]): boolean {
  const key = (prs: readonly PullRequest[]) =>
    prs
      .map((pr) => `${pr.number}:${pr.state}`)
      .sort()
      .join(",");
  return key(a) === key(b);
}

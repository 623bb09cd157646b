import type { PullRequest } from "../forge/forge.js";

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

import type { Forge } from "../forge/forge.js";

export interface RecentPr {
  service: string;
  environment: string;
  openedAt: string;
}

/**
 * Remedy PRs opened in the hour before `now`, by the `service:` and `env:` labels Remedy puts on them:
 * what the policy's rate limit counts. Reverts do not count against it.
 */
export async function recentRemedyPrs(forge: Forge, now: string, except?: number): Promise<RecentPr[]> {
  const since = new Date(Date.parse(now) - 3_600_000).toISOString();
  return (await forge.listRemedyPullRequests(since)).flatMap((pr) => {
    if (pr.number === except || pr.labels.includes("remedy:revert")) return [];
    const service = pr.labels.find((l) => l.startsWith("service:"))?.slice("service:".length);
    const environment = pr.labels.find((l) => l.startsWith("env:"))?.slice("env:".length);
    return service && environment ? [{ service, environment, openedAt: pr.createdAt }] : [];
  });
}

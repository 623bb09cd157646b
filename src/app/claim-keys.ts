import { alertDedupeKeys, type AlertPayload } from "../signals/alert-payload.js";
import type { WorkItem } from "./work-item.js";

/** The dedupe claim of one webhook delivery: a redelivery keeps its X-GitHub-Delivery. */
export function deliveryClaim(delivery: string): string {
  return `delivery:${delivery}`;
}

/** The claim that makes an issue's `opened` and `labeled` deliveries one signal. */
export function incidentIssueClaim(owner: string, repo: string, issue: number): string {
  return `incident-issue:${`${owner}/${repo}`.toLowerCase()}#${issue}`;
}

/** The dedupe claims of one Alertmanager notification: one per alert firing (or resolving). */
export function alertClaims(owner: string, repo: string, payload: AlertPayload): string[] {
  const scope = `${owner}/${repo}`.toLowerCase();
  return alertDedupeKeys(payload).map((key) => `alert:${scope}|${key}`);
}

/**
 * The claims to give back when `item` is given up: those it recorded winning, else (an item stored
 * before it could record them) every claim its signal maps to.
 */
export function claimsOf(item: WorkItem): string[] {
  if (item.claims !== undefined) return item.claims;
  if (item.work.kind === "issue" && item.delivery !== null)
    return [incidentIssueClaim(item.owner, item.repo, item.work.issue.number), deliveryClaim(item.delivery)];
  if (item.delivery !== null) return [deliveryClaim(item.delivery)];
  if (item.work.kind === "alert") return alertClaims(item.owner, item.repo, item.work.payload);
  return [];
}

import type { WorkItem } from "./work-item.js";

// A Map, not an object literal: a label such as "constructor" must not find Object.prototype's.
const SEVERITIES: ReadonlyMap<string, number> = new Map([
  ["critical", 1],
  ["warning", 2],
  ["info", 3],
]);
/** An alert whose `severity` label is missing or not one of the known levels starts after the rest. */
const UNKNOWN = 4;
/**
 * Background work nobody waits on: the onboarding PR. One installation event brings one item per
 * repository (an organisation's thousand), each reading up to hundreds of files; ahead of alerts,
 * they would hold a critical one back for all that time.
 */
const BACKGROUND = UNKNOWN + 1;

/**
 * How urgent accepted work is, lower first: webhook work (a person's command, a merge to verify) 0,
 * then alerts by their `severity` label, critical > warning > info > anything else, then onboarding. The label is the
 * group's common one, else the most severe among its alerts; it only orders work, so an alert that
 * claims `critical` gains a place in the queue and nothing else.
 */
export function workRank(item: WorkItem): number {
  if (item.work.kind === "onboard") return BACKGROUND;
  if (item.work.kind !== "alert") return 0;
  const { payload } = item.work;
  const common = rankOf(payload.commonLabels.severity);
  if (common !== UNKNOWN) return common;
  return Math.min(UNKNOWN, ...payload.alerts.map((alert) => rankOf(alert.labels.severity)));
}

function rankOf(severity: unknown): number {
  if (typeof severity !== "string") return UNKNOWN;
  return SEVERITIES.get(severity.trim().toLowerCase()) ?? UNKNOWN;
}

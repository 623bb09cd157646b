import type { WorkItem } from "./work-item.js";

/**
 * The queue key that serializes work on one target: an alert group, or an issue/PR. Alerts for one
 * group must not race to the branch lock, and an issue's `opened` and `labeled` deliveries (GitHub
 * sends both for an issue created with a label) run one after the other.
 */
export function workKey(item: WorkItem): string {
  const repo = `${item.owner}/${item.repo}`.toLowerCase();
  switch (item.work.kind) {
    case "alert":
      return `${repo}|alert|${item.work.payload.groupKey}`;
    case "issue":
      return `${repo}#${item.work.issue.number}`;
    case "comment":
      return `${repo}#${item.work.comment.number}`;
    case "merged":
    case "closed":
      return `${repo}#${item.work.pr.number}`;
    case "issue-closed":
      return `${repo}#${item.work.issue}`;
    case "review":
      return `${repo}#${item.work.review.pr.number}`;
    case "recheck":
    case "head":
      return `${repo}#${item.work.pr}`;
    case "label":
      return `${repo}#${item.work.label.number}`;
    case "base-push":
      return `${repo}|base|${item.work.branch}`;
    case "onboard":
      return `${repo}|onboarding`;
  }
}

import type { PolicyResult } from "../policy/evaluate-policy.js";
import { isValidDigest } from "../manifests/index.js";
import { assessRisk } from "./assess-risk.js";
import type { Plan } from "./plan.js";

/**
 * The plan as the branch now holds it: the same field of the same workload, from `before` (the
 * current base) to `after` (the value on the branch), with the revert, risk, approvals and reviewers
 * that value calls for under the current policy. Everything else (incident, runbook, verification)
 * stays as Remedy planned it.
 */
export function revisePlan(
  plan: Plan,
  value: { before: string; after: string },
  policy: Pick<PolicyResult, "approvals" | "reviewers" | "freezeException"> | null,
): Plan {
  const { risk, flags } = assessRisk({
    action: plan.action,
    environment: plan.environment,
    field: plan.field,
    before: value.before,
    after: value.after,
    freezeException: policy?.freezeException ?? null,
    truncatedAlerts: 0,
    isRevert: plan.reverts !== undefined,
  });
  return {
    ...plan,
    before: value.before,
    after: value.after,
    form: plan.field === "replicas" ? "count" : isValidDigest(value.after) ? "digest" : "tag",
    revert: { field: plan.field, value: value.before },
    risk,
    // Flags Remedy found at diagnosis that are not about the value (truncated alerts) are kept.
    riskFlags: [...new Set([...flags, ...plan.riskFlags.filter((f) => f.includes("truncated"))])],
    ...(policy === null ? {} : { approvals: policy.approvals, reviewers: policy.reviewers }),
  };
}

import { assessRisk } from "./assess-risk.js";
import type { Plan } from "./plan.js";

/** The plan that undoes `plan`: the same field back to its exact previous value. */
export function revertPlan(plan: Plan, original: { pr: number; mergeSha: string | null }, now: string): Plan {
  const { risk, flags } = assessRisk({
    action: plan.action,
    environment: plan.environment,
    field: plan.field,
    before: plan.after,
    after: plan.revert.value,
    freezeException: null,
    truncatedAlerts: 0,
    isRevert: true,
  });
  // The revert's own failure is escalated anyway (a revert is never reverted); it is not irreversible itself.
  const { irreversible: _irreversible, ...rest } = plan;
  return {
    ...rest,
    before: plan.after,
    after: plan.revert.value,
    revert: { field: plan.field, value: plan.after },
    risk,
    riskFlags: flags,
    autoMerge: false,
    createdAt: now,
    reverts: original,
  };
}

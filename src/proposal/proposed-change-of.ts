import type { ProposedChange } from "../policy/evaluate-policy.js";
import type { Plan } from "./plan.js";

/** What the policy judges of a planned PR: its field going from `before` to `after` (the plan's, unless a branch holds others). */
export function proposedChangeOf(
  plan: Plan,
  value: { before: string; after: string } = { before: plan.before, after: plan.after },
): ProposedChange {
  return {
    service: plan.service,
    environment: plan.environment,
    action: plan.action,
    field: plan.field,
    before: value.before,
    after: value.after,
    ...(plan.target.image === undefined ? {} : { imageRepository: plan.target.image }),
    ...(plan.reverts === undefined ? {} : { revert: true }),
  };
}

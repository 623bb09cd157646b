import { readField } from "../manifests/index.js";
import type { Plan } from "../proposal/plan.js";
import { revisePlan } from "../proposal/revise-plan.js";
import type { FlowDeps } from "./deps.js";

/**
 * Remedy's own plan with the value the merge commit actually holds (SPEC §5): a `/set` or a person's
 * push before the merge is verified and reverted as merged, not as first planned. The value is read
 * from the repository at the merge sha, never from the PR body. `note` says when it differs.
 */
export async function planAtMerge(
  deps: FlowDeps,
  plan: Plan,
  mergeSha: string,
): Promise<{ plan: Plan; note: string | null }> {
  const text = await deps.forge.readFile(plan.target.file, mergeSha).catch(() => null);
  const merged = text === null ? null : readField(text, plan.target, plan.field);
  if (merged === null || !merged.ok)
    return {
      plan,
      note: `The ${plan.field} in \`${plan.target.file}\` cannot be read at the merge commit ${mergeSha.slice(0, 12)}; Remedy uses the value it planned, \`${plan.after}\`.`,
    };
  if (merged.value === plan.after) return { plan, note: null };
  // The merge commit does not hold a change of the field at all: nothing says which value to verify.
  if (merged.value === plan.before)
    return {
      plan,
      note: `The merge commit ${mergeSha.slice(0, 12)} still holds ${plan.field} \`${merged.value}\`, the value before this PR; Remedy verifies the value it planned, \`${plan.after}\`.`,
    };
  const revised = revisePlan(
    plan,
    { before: plan.before, after: merged.value },
    { approvals: plan.approvals, reviewers: plan.reviewers, freezeException: null },
  );
  return {
    plan: revised,
    note: `The merge commit ${mergeSha.slice(0, 12)} holds ${plan.field} \`${merged.value}\`, not \`${plan.after}\` as the plan said: verification and any revert use \`${merged.value}\` (the revert restores \`${plan.revert.value}\`).`,
  };
}

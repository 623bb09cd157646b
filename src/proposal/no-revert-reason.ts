import type { Plan } from "./plan.js";

export const IRREVERSIBLE_LABEL = "remedy:irreversible";

/**
 * Why a failed verification of this change must reach a person instead of an automatic revert PR,
 * or null when the revert is safe. A restart has no previous state to restore (restarting again is not
 * an undo); an irreversible change (runbook `reversible: false`, or the label on the PR) needs a
 * person to judge whether going back is possible at all.
 */
export function noRevertReason(
  plan: Pick<Plan, "action" | "irreversible">,
  labels: readonly string[] = [],
): string | null {
  if (plan.action === "restart")
    return "a restart has no revert: setting the annotation back would only restart the pods again";
  if (plan.irreversible !== undefined)
    return `the change is marked irreversible by its runbook: ${plan.irreversible.reason}`;
  if (labels.includes(IRREVERSIBLE_LABEL))
    return `the PR is labelled \`${IRREVERSIBLE_LABEL}\`: its rollback needs a person`;
  return null;
}

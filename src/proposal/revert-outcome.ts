import { unifiedDiff } from "../manifests/index.js";
import type { Outcome } from "./outcome.js";
import type { Plan } from "./plan.js";

/** The original PR a revert undoes and why, as the revert's packet tells it. */
export interface RevertOf {
  original: { number: number; title: string };
  plan: Plan;
  reason: string;
}

/** The outcome a revert's packet renders: the revert plan and its one edit, proposed. */
export function revertOutcome(of: RevertOf, revert: Plan, edit: { before: string; after: string }): Outcome {
  const { original, plan } = of;
  return {
    decision: "propose",
    summary: `Revert #${original.number}: set ${plan.field} of ${plan.service} in ${plan.environment} back from ${plan.after} to ${revert.after}. ${of.reason}`,
    incident: {
      key: plan.incidentKey,
      source: "comment",
      status: "firing",
      title: original.title,
      text: of.reason,
      trustedText: "",
      labels: {},
      alertnames: [],
      issue: plan.incident,
      author: null,
      truncatedAlerts: 0,
      startsAt: null,
    },
    resolution: null,
    diagnosis: null,
    plan: revert,
    policy: null,
    edit: {
      path: plan.target.file,
      before: edit.before,
      after: edit.after,
      diff: unifiedDiff(plan.target.file, edit.before, edit.after),
    },
    evidence: [],
    uncertainties: [],
  };
}

/** What the revert's packet says first: the PR it reverts, the incident, the failing figures. */
export function revertPreface(of: RevertOf & { figures?: string }): string {
  const { original, plan } = of;
  return [
    `Reverts #${original.number}${plan.incident === null ? "" : ` (incident #${plan.incident})`}.`,
    of.figures ?? "",
  ]
    .filter(Boolean)
    .join("\n\n");
}

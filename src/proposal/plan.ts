import type { ManifestTarget } from "../manifests/index.js";
import type { VerifySpec } from "../verification/verify-spec.js";

export type Decision = "none" | "escalate" | "deny" | "propose";
export type Risk = "low" | "medium" | "high";
export type PlanAction = "scale" | "set-image" | "rollback-image";

/** Where the edited field lives (a copy of the configured target, so a plan stands on its own). */
export interface PlanTarget extends ManifestTarget {
  namespace?: string;
  argocdApp?: string;
}

/**
 * A single-field change with everything verification and `/rollback` need later. It is embedded in
 * the PR body, so it must stay plain JSON.
 */
export interface Plan {
  version: 1;
  repo: string;
  incidentKey: string;
  incident: number | null;
  service: string;
  environment: string;
  action: PlanAction;
  runbook: string;
  target: PlanTarget;
  field: "replicas" | "image";
  form: "count" | "tag" | "digest";
  before: string;
  after: string;
  /** The revert restores exactly this value of the same field. */
  revert: { field: "replicas" | "image"; value: string };
  verify: VerifySpec;
  evidenceHash: string;
  approvals: number;
  reviewers: string[];
  risk: Risk;
  riskFlags: string[];
  autoMerge: boolean;
  createdAt: string;
  /** Set on revert plans: the PR whose change this one undoes. */
  reverts?: { pr: number; mergeSha: string | null };
}

export function branchName(plan: Pick<Plan, "service" | "environment" | "action" | "incidentKey">): string {
  return `remedy/${plan.service}-${plan.environment}-${plan.action}-${plan.incidentKey.slice(0, 8)}`;
}

export function revertBranchName(mergeSha: string): string {
  return `revert/${mergeSha}`;
}

export function commitSubject(
  plan: Pick<Plan, "action" | "service" | "environment" | "before" | "after" | "field" | "reverts">,
): string {
  const change =
    plan.field === "replicas" ? `${plan.before} → ${plan.after} replicas` : `${plan.before} → ${plan.after}`;
  const verb =
    plan.reverts !== undefined
      ? "revert"
      : plan.action === "scale"
        ? "scale"
        : plan.action === "set-image"
          ? "deploy"
          : "roll back";
  return `${verb} ${plan.service} in ${plan.environment}: ${change}`;
}

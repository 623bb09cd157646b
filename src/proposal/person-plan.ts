import type { EnvironmentTarget } from "../config/repo-config.js";
import { VerifyBlock } from "../diagnosis/runbook-schema.js";
import type { FieldValue, ManifestTarget } from "../manifests/index.js";
import type { Policy } from "../policy/policy-schema.js";
import { assessRisk } from "./assess-risk.js";
import type { Plan } from "./plan.js";
import { verifySpecFromRunbook } from "./verify-spec-from-runbook.js";

/** One configured field a person's PR changes, read at both ends of the PR. */
export interface PersonChange {
  repo: string;
  incidentKey: string;
  createdAt: string;
  service: string;
  environment: string;
  owners: readonly string[];
  target: ManifestTarget;
  config: EnvironmentTarget;
  field: "replicas" | "image";
  before: string;
  after: FieldValue;
}

/**
 * The plan behind a person's one-field PR (so `/dry-run` and `/rollback` work on it): no runbook,
 * no evidence, the approvals and reviewers the policy names, and never auto-merged.
 */
export function personPlan(change: PersonChange, policy: Policy): Plan {
  const { field, environment, before } = change;
  const action = field === "replicas" ? "scale" : "set-image";
  const { risk, flags } = assessRisk({
    action,
    environment,
    field,
    before,
    after: change.after.value,
    freezeException: null,
    truncatedAlerts: 0,
    isRevert: false,
  });
  return {
    version: 1,
    repo: change.repo,
    incidentKey: change.incidentKey,
    incident: null,
    service: change.service,
    environment,
    action,
    runbook: "manual",
    target: {
      ...change.target,
      ...(change.config.namespace === undefined ? {} : { namespace: change.config.namespace }),
    },
    field,
    form: change.after.form,
    before,
    after: change.after.value,
    revert: { field, value: before },
    verify: verifySpecFromRunbook(VerifyBlock.parse({})),
    evidenceHash: "sha256:" + "0".repeat(64),
    approvals: policy.environments[environment]?.actions[action]?.approvals ?? 1,
    reviewers: [...new Set([...(policy.environments[environment]?.reviewers ?? []), ...change.owners])],
    risk,
    riskFlags: flags,
    autoMerge: false,
    createdAt: change.createdAt,
  };
}

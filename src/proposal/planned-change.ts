import { createHash } from "node:crypto";
import { canonicalJson } from "../audit/canonical-json.js";
import type { EnvironmentTarget } from "../config/repo-config.js";
import type { Diagnosis } from "../diagnosis/match-runbooks.js";
import type { RecentChange } from "../diagnosis/recent-changes.js";
import type { Runbook } from "../diagnosis/runbook-schema.js";
import { RESTART_ANNOTATION, type ManifestTarget } from "../manifests/index.js";
import { autoMergeAllowed } from "../policy/auto-merge-allowed.js";
import type { PolicyResult } from "../policy/evaluate-policy.js";
import type { Incident } from "../signals/incident.js";
import { assessRisk } from "./assess-risk.js";
import type { EvidenceRow, FileEdit } from "./outcome.js";
import type { Plan, PlanAction, PlanTarget } from "./plan.js";
import { verifySpecFromRunbook } from "./verify-spec-from-runbook.js";

/** A runbook whose action is a change (not an escalation). */
export type ActingRunbook = Runbook & { action: Exclude<Runbook["action"], { kind: "escalate" }> };

export function actsOnChange(runbook: Runbook): runbook is ActingRunbook {
  return runbook.action.kind !== "escalate";
}

/** The one field edit planned for a runbook's action, before policy and risk. */
export interface PlannedChange {
  action: PlanAction;
  field: "replicas" | "image" | "restart";
  form: "count" | "tag" | "digest" | "timestamp";
  before: string;
  after: string;
  imageRepository?: string;
  edit: FileEdit;
  uncertainties: string[];
}

/** Everything a plan is made of, gathered by the planning flow. */
export interface PlanMaterial {
  repo: string;
  now: string;
  incident: Incident;
  diagnosis: Diagnosis;
  runbook: ActingRunbook;
  service: string;
  environment: string;
  target: PlanTarget;
  change: PlannedChange;
  policy: PolicyResult;
  evidence: EvidenceRow[];
  recentChanges: readonly RecentChange[];
}

/** The plan of a change the policy has judged: its risk, reviewers, revert and verification. */
export function planOfChange(material: PlanMaterial): Plan {
  const { change, runbook, policy, incident, environment } = material;
  const irreversible =
    runbook.action.reversible === false
      ? { reason: runbook.action.reason ?? "the runbook marks this change irreversible" }
      : undefined;
  const { risk, flags } = assessRisk({
    ...change,
    environment,
    freezeException: policy.freezeException,
    truncatedAlerts: incident.truncatedAlerts,
    isRevert: false,
    ...(irreversible === undefined ? {} : { irreversible: irreversible.reason }),
  });
  return {
    version: 1,
    repo: material.repo,
    incidentKey: incident.key,
    incident: incident.issue,
    service: material.service,
    environment,
    action: change.action,
    runbook: runbook.id,
    target: material.target,
    field: change.field,
    form: change.form,
    before: change.before,
    after: change.after,
    revert: { field: change.field, value: change.before },
    verify: verifySpecFromRunbook(runbook.verify),
    evidenceHash: evidenceHash(incident, material.diagnosis, material.evidence, material.recentChanges),
    approvals: policy.approvals,
    reviewers: policy.reviewers,
    risk,
    riskFlags: flags,
    autoMerge: autoMergeAllowed(policy.autoMerge, risk, environment).enabled,
    createdAt: material.now,
    ...(irreversible === undefined ? {} : { irreversible }),
  };
}

/** The outcome's one-line summary: what policy denied, or what is proposed. */
export function proposalSummary(plan: Plan, policy: PolicyResult): string {
  return policy.decision === "deny"
    ? `Denied by policy: ${policy.rules
        .filter((r) => r.result === "fail")
        .map((r) => r.detail)
        .join("; ")}.`
    : `Propose: ${describeChange(plan)} (runbook ${plan.runbook}).`;
}

export function describeChange(
  plan: Pick<Plan, "field" | "service" | "environment" | "before" | "after">,
): string {
  if (plan.field === "restart")
    return `restart ${plan.service} in ${plan.environment} (rolling restart, ${RESTART_ANNOTATION}: ${plan.after})`;
  return plan.field === "replicas"
    ? `scale ${plan.service} in ${plan.environment} from ${plan.before} to ${plan.after} replicas`
    : `move ${plan.service} in ${plan.environment} from image ${plan.before} to ${plan.after}`;
}

export function manifestTarget(service: string, config: EnvironmentTarget): ManifestTarget {
  return {
    kind: config.kind,
    file: config.file,
    workload: config.workload ?? service,
    ...(config.image === undefined ? {} : { image: config.image }),
    replicasKey: config.replicas_key,
    tagKey: config.tag_key,
    restartKey: config.restart_key,
  };
}

export function planTarget(target: ManifestTarget, config: EnvironmentTarget): PlanTarget {
  return {
    ...target,
    ...(config.namespace === undefined ? {} : { namespace: config.namespace }),
    ...(config.argocd_app === undefined ? {} : { argocdApp: config.argocd_app }),
  };
}

function evidenceHash(
  incident: Incident,
  diagnosis: Diagnosis,
  evidence: EvidenceRow[],
  changes: readonly RecentChange[],
): string {
  const material = {
    // Only when there are any, so a packet without recent changes keeps the hash it always had.
    ...(changes.length === 0 ? {} : { recentChanges: changes.map((c) => c.sha) }),
    incident: incident.key,
    labels: incident.labels,
    text: incident.text,
    runbook: diagnosis.runbook?.id ?? null,
    candidates: diagnosis.candidates.map((c) => [c.id, c.score]),
    evidence,
  };
  return `sha256:${createHash("sha256").update(canonicalJson(material)).digest("hex")}`;
}

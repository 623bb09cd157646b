import { z } from "zod";
import type { ManifestTarget } from "../manifests/index.js";
import type { VerifySpec } from "../verification/verify-spec.js";

export type Decision = "none" | "escalate" | "deny" | "propose";
export type Risk = "low" | "medium" | "high";
export type PlanAction = "scale" | "set-image" | "rollback-image" | "restart";

const Text = z.string().max(4_000);
const Sha = z.string().regex(/^[0-9a-f]{40}$/, "must be a 40-hex commit sha");
const Hash = z.string().regex(/^sha256:[0-9a-f]{64}$/, "must be sha256:<64 hex>");
const FieldName = z.enum(["replicas", "image", "restart"]);
/** A repository path as Remedy writes them: relative, no `..`, a YAML manifest. */
const ManifestPath = z
  .string()
  .max(500)
  .regex(
    /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[^\0\n]+\.ya?ml$/,
    "must be a relative .yaml/.yml path inside the repository",
  );

const CheckSpecSchema = z.strictObject({
  name: z.string().min(1).max(100),
  query: Text.optional(),
  max: z.number().optional(),
  min: z.number().optional(),
  maxIncrease: z.number().positive().optional(),
  baselineSeconds: z.number().positive().optional(),
});

const VerifySpecSchema = z.strictObject({
  intervalSeconds: z.number().positive(),
  soakSeconds: z.number().nonnegative(),
  failureThreshold: z.number().int().positive(),
  maxErrors: z.number().int().positive(),
  deadlineSeconds: z.number().positive(),
  checks: z.array(CheckSpecSchema).max(50),
});

const PlanTargetSchema = z.strictObject({
  kind: z.enum(["helm", "kustomize"]),
  file: ManifestPath,
  workload: z.string().min(1).max(253),
  image: z.string().max(500).optional(),
  replicasKey: z.string().min(1).max(200),
  tagKey: z.string().min(1).max(200),
  restartKey: z.string().min(1).max(200).optional(),
  namespace: z.string().max(253).optional(),
  argocdApp: z.string().max(253).optional(),
});

/**
 * A single-field change with everything verification and `/rollback` need later. It is embedded in
 * the PR body as JSON and read back through this schema: a body is untrusted text, so a plan is
 * parsed, never cast, and unknown keys are refused rather than dropped.
 */
export const PlanSchema = z.strictObject({
  version: z.literal(1),
  repo: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/),
  incidentKey: z.string().regex(/^[0-9a-f]{16,64}$/),
  incident: z.number().int().positive().nullable(),
  service: z.string().min(1).max(63),
  environment: z.string().min(1).max(63),
  action: z.enum(["scale", "set-image", "rollback-image", "restart"]),
  runbook: z.string().min(1).max(200),
  target: PlanTargetSchema,
  field: FieldName,
  form: z.enum(["count", "tag", "digest", "timestamp"]),
  before: z.string().max(500),
  after: z.string().max(500),
  /** The revert restores exactly this value of the same field. */
  revert: z.strictObject({ field: FieldName, value: z.string().max(500) }),
  verify: VerifySpecSchema,
  evidenceHash: Hash,
  approvals: z.number().int().nonnegative(),
  reviewers: z.array(z.string().max(200)).max(50),
  risk: z.enum(["low", "medium", "high"]),
  riskFlags: z.array(Text).max(50),
  autoMerge: z.boolean(),
  createdAt: z.string().max(40),
  /** Set on revert plans: the PR whose change this one undoes. */
  reverts: z.strictObject({ pr: z.number().int().positive(), mergeSha: Sha.nullable() }).optional(),
  /** Set when the runbook marks the action `reversible: false`: a rollback needs a person, and why. */
  irreversible: z.strictObject({ reason: Text.min(1) }).optional(),
});

/** Where the edited field lives (a copy of the configured target, so a plan stands on its own). */
export interface PlanTarget extends ManifestTarget {
  namespace?: string;
  argocdApp?: string;
}

/** See `PlanSchema`; the interface keeps optional fields exact (no `| undefined`). */
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
  field: "replicas" | "image" | "restart";
  form: "count" | "tag" | "digest" | "timestamp";
  before: string;
  after: string;
  revert: { field: "replicas" | "image" | "restart"; value: string };
  verify: VerifySpec;
  evidenceHash: string;
  approvals: number;
  reviewers: string[];
  risk: Risk;
  riskFlags: string[];
  autoMerge: boolean;
  createdAt: string;
  reverts?: { pr: number; mergeSha: string | null };
  irreversible?: { reason: string };
}

// The schema and the interface describe the same JSON: fail the build if they drift apart.
type Parsed = z.infer<typeof PlanSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type StripUndefined<T> = T extends object ? { [K in keyof T]: StripUndefined<Exclude<T[K], undefined>> } : T;
const _planSchemaMatches: Same<StripUndefined<Parsed>, StripUndefined<Plan>> = true;
void _planSchemaMatches;

/** A plan from untrusted JSON: the plan, or why it is not one. */
export function parsePlan(value: unknown): { ok: true; plan: Plan } | { ok: false; reason: string } {
  const parsed = PlanSchema.safeParse(value);
  if (!parsed.success)
    return {
      ok: false,
      reason: parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join(".") || "plan"}: ${i.message}`)
        .join("; "),
    };
  return { ok: true, plan: parsed.data as Plan };
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
    plan.field === "replicas"
      ? `${plan.before} → ${plan.after} replicas`
      : plan.field === "restart"
        ? `rolling restart at ${plan.after}`
        : `${plan.before} → ${plan.after}`;
  const verb =
    plan.reverts !== undefined
      ? "revert"
      : plan.action === "scale"
        ? "scale"
        : plan.action === "set-image"
          ? "deploy"
          : plan.action === "restart"
            ? "restart"
            : "roll back";
  return `${verb} ${plan.service} in ${plan.environment}: ${change}`;
}

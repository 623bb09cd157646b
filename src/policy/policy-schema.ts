import { z } from "zod";
import { parseDuration } from "../verification/parse-duration.js";

export const ACTION_KINDS = ["scale", "set-image", "rollback-image", "restart"] as const;
export const ChangeAction = z.enum(ACTION_KINDS);
export type ChangeAction = z.infer<typeof ChangeAction>;

const Count = z.number().int().min(0);

export const ActionRule = z.strictObject({
  allow: z.boolean().default(false),
  min_replicas: Count.optional(),
  max_replicas: Count.optional(),
  /** Largest change in replicas one PR may make, up or down. */
  max_step: z.number().int().positive().optional(),
  /** Image repositories (prefixes) a set-image may point at. */
  registries: z.array(z.string().min(1)).optional(),
  /** restart: Remedy's restart PRs per service and environment in the last hour. Default 3. */
  max_per_hour: z.number().int().positive().optional(),
  approvals: Count.default(1),
});
export type ActionRule = z.infer<typeof ActionRule>;

const Instant = z.iso.datetime({ offset: true });

export const FreezeWindow = z
  .strictObject({
    from: Instant,
    to: Instant,
    reason: z.string().default("change freeze"),
    except: z.array(ChangeAction).default([]),
  })
  .refine((w) => Date.parse(w.from) < Date.parse(w.to), "must end after it starts (from < to)");
export type FreezeWindow = z.infer<typeof FreezeWindow>;

export const AutoMergeRule = z.union([
  z.boolean(),
  z.strictObject({
    max_risk: z.enum(["low", "medium"], {
      error: "must be low or medium (a high-risk change is never auto-merged)",
    }),
  }),
]);
export type AutoMergeRule = z.infer<typeof AutoMergeRule>;

export const EnvironmentPolicy = z.strictObject({
  actions: z.partialRecord(ChangeAction, ActionRule).default({}),
  freeze: z.array(FreezeWindow).default([]),
  rate_limit: z.strictObject({ prs_per_service_per_hour: z.number().int().positive() }).optional(),
  reviewers: z
    .array(z.string().regex(/^@[A-Za-z0-9][A-Za-z0-9-]*(\/[A-Za-z0-9._-]+)?$/, "must be @user or @org/team"))
    .default([]),
  /**
   * true, or { max_risk }: Remedy enables GitHub auto-merge for its PRs up to that risk tier (true means
   * low; prod is capped at low; high never). Branch protection still applies.
   */
  auto_merge: AutoMergeRule.default(false),
  /**
   * Separation of duties: the person who asked for the value (the issue author who named it, a
   * `/set`, a push to the branch) cannot be the approval that counts. Default false.
   */
  separate_approver: z.boolean().default(false),
  /** Whether a PR needs a required review on the base branch. Default: true for prod, false elsewhere. */
  require_protection: z.boolean().optional(),
});
export type EnvironmentPolicy = z.infer<typeof EnvironmentPolicy>;

export const EscalateMatchers = z.strictObject({
  alertnames: z.array(z.string()).default([]),
  labels: z.record(z.string(), z.string()).default({}),
  keywords: z.array(z.string().min(1)).default([]),
});
export type EscalateMatchers = z.infer<typeof EscalateMatchers>;

const Window = z.string().refine((text) => {
  try {
    return parseDuration(text) > 0;
  } catch {
    return false;
  }
}, "must be a positive Go-style duration like 30m or 24h");

/** After this many failed verifications of Remedy's PRs within `window`, Remedy pauses the repository. */
export const CircuitBreaker = z.strictObject({
  failed_verifications: z.number().int().positive().default(2),
  window: Window.default("24h"),
});
export type CircuitBreaker = z.infer<typeof CircuitBreaker>;

export const Policy = z
  .strictObject({
    environments: z.record(z.string(), EnvironmentPolicy).default({}),
    circuit_breaker: CircuitBreaker.default({ failed_verifications: 2, window: "24h" }),
    escalate: EscalateMatchers.default({ alertnames: [], labels: {}, keywords: [] }),
  })
  .describe("Remedy policy (policies/*.yaml, merged in file-name order)");
export type Policy = z.infer<typeof Policy>;

import { z } from "zod";
import { parseDuration } from "../verification/parse-duration.js";

/** Go-style durations as Prometheus and Alertmanager write them: 30s, 5m, 1h30m, 500ms. */
export const Duration = z.string().refine((text) => {
  try {
    return parseDuration(text) > 0;
  } catch {
    return false;
  }
}, "must be a positive Go-style duration like 30s, 5m or 1h30m");

export const Check = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9_]+$/, "must be snake_case letters and digits"),
    query: z.string().min(1).optional(),
    max: z.number().optional(),
    min: z.number().optional(),
    /** v2: healthy while at most this fraction above the baseline (0.2 = 20% more than before the merge). */
    max_increase: z.number().positive().optional(),
    /** v2: the window before the merge over which the same query gives the baseline (default 30m). */
    baseline: Duration.optional(),
  })
  .refine(
    (c) => c.name === "rollout" || c.query !== undefined,
    "needs a query (only the check named rollout has none)",
  )
  .refine(
    (c) => c.name !== "rollout" || c.query === undefined,
    "rollout is the workload's rollout state and takes no query",
  )
  .refine(
    (c) => c.max_increase === undefined || c.query !== undefined,
    "max_increase compares a query's value with its baseline; the rollout check has no query",
  )
  .refine(
    (c) => c.baseline === undefined || c.max_increase !== undefined,
    "baseline is the window for max_increase; set max_increase too (for example max_increase: 0.2)",
  );
export type Check = z.infer<typeof Check>;

export const VerifyBlock = z.strictObject({
  interval: Duration.default("30s"),
  soak: Duration.default("5m"),
  failure_threshold: z.number().int().positive().default(2),
  max_errors: z.number().int().positive().default(3),
  deadline: Duration.default("10m"),
  checks: z.array(Check).default([{ name: "rollout" }]),
});
export type VerifyBlock = z.infer<typeof VerifyBlock>;

/** "+2" (add), "-1" (remove), "x2" (multiply), or an absolute count. */
export const ReplicaRule = z.union([
  z.number().int().min(0),
  z.string().regex(/^([+-]\d+|x\d+(\.\d+)?|\d+)$/, 'must be "+N", "-N", "xN" or a number'),
]);

/**
 * `reversible: false` with a `reason` marks a change whose rollback needs a human (a schema migration,
 * a data format change): no automatic revert, and `/rollback` asks for `--force`.
 */
const Reversibility = {
  reversible: z.boolean().default(true),
  reason: z.string().min(1).max(1_000).optional(),
};

export const RunbookAction = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("scale"), replicas: ReplicaRule.default("+2"), ...Reversibility }),
  z.strictObject({ kind: z.literal("set-image"), ...Reversibility }),
  z.strictObject({ kind: z.literal("rollback-image"), ...Reversibility }),
  z
    .strictObject({ kind: z.literal("restart"), ...Reversibility })
    .describe(
      "a rolling restart: the pod-template annotation remedy.dev/restarted-at set to the signal's time",
    ),
  z.strictObject({ kind: z.literal("escalate"), reason: z.string().optional() }),
]);
export type RunbookAction = z.infer<typeof RunbookAction>;

export const Runbook = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower-case kebab-case"),
    title: z.string().min(1),
    description: z.string().optional(),
    match: z
      .strictObject({
        alertnames: z.array(z.string().min(1)).default([]),
        keywords: z.array(z.string().min(1)).default([]),
        labels: z.record(z.string(), z.string()).default({}),
        changed_within: Duration.optional().describe(
          "scores when git history shows the service's configured file changed this runbook's field (image for set-image/rollback-image, replicas for scale) within this time before the signal",
        ),
      })
      .default({ alertnames: [], keywords: [], labels: {} }),
    action: RunbookAction,
    evidence: z
      .array(z.strictObject({ name: z.string().regex(/^[a-z0-9_]+$/), query: z.string().min(1) }))
      .default([]),
    verify: VerifyBlock.default(VerifyBlock.parse({})),
  })
  .refine((r) => r.action.kind === "escalate" || r.action.reversible || r.action.reason !== undefined, {
    message: "reversible: false needs a reason: say why a rollback needs a human (e.g. a schema migration)",
    path: ["action", "reason"],
  })
  .describe("A Remedy runbook (runbooks/*.yaml)");
export type Runbook = z.infer<typeof Runbook>;

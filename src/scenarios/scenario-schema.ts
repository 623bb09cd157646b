import { z } from "zod";
import { AlertPayload } from "../signals/alert-payload.js";
import { ROLES } from "../signals/role.js";

const Role = z.enum(ROLES as [string, ...string[]]);
const Scalar = z.union([z.string(), z.number()]).transform(String);
const Instant = z.iso.datetime({ offset: true });
const Files = z.record(z.string(), z.string());

const signalFields = {
  alertmanager: z.unknown().optional(),
  issue: z
    .strictObject({
      title: z.string(),
      body: z.string().default(""),
      author_permission: Role.default("write"),
    })
    .optional(),
  comment: z
    .strictObject({
      issue: z.strictObject({
        title: z.string(),
        body: z.string().default(""),
        author_permission: Role.default("write"),
      }),
      body: z.string(),
      author_permission: Role.default("write"),
    })
    .optional(),
};

const oneSignal = (s: { alertmanager?: unknown; issue?: unknown; comment?: unknown }) =>
  [s.alertmanager, s.issue, s.comment].filter((v) => v !== undefined).length === 1;
const ONE_SIGNAL = "must have exactly one of alertmanager, issue, comment";

const Signal = z.strictObject(signalFields).refine(oneSignal, ONE_SIGNAL);

/** v2: one thing a person (or Alertmanager) does after Remedy answered the signal. */
const STEP_KINDS = [
  "push",
  "comment",
  "label",
  "resolve",
  "close_issue",
  "base",
  "close",
  "merge",
  "signal",
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

const On = z.enum(["pr", "issue"]);
const Step = z
  .strictObject({
    at: Instant.optional(),
    push: z
      .strictObject({
        author_permission: Role.default("write"),
        message: z.string().min(1).optional(),
        files: z.record(z.string(), z.string().nullable()).refine((f) => Object.keys(f).length > 0, {
          message: "must name at least one file (path: content, or path: null to delete it)",
        }),
      })
      .optional(),
    comment: z
      .strictObject({ on: On, body: z.string().min(1), author_permission: Role.default("write") })
      .optional(),
    label: z
      .strictObject({
        on: On,
        add: z.string().min(1).optional(),
        remove: z.string().min(1).optional(),
        author_permission: Role.default("write"),
      })
      .refine((l) => (l.add === undefined) !== (l.remove === undefined), {
        message: "needs exactly one of add: LABEL or remove: LABEL",
      })
      .optional(),
    resolve: z.literal(true).optional(),
    close_issue: z.literal(true).optional(),
    base: z
      .strictObject({
        files: z.record(z.string(), z.string().nullable()).refine((f) => Object.keys(f).length > 0, {
          message: "must name at least one file",
        }),
        message: z.string().min(1).optional(),
      })
      .optional(),
    close: z.literal(true).optional(),
    merge: z.literal(true).optional(),
    signal: z
      .strictObject({ ...signalFields, concurrent: z.boolean().default(false) })
      .refine(oneSignal, ONE_SIGNAL)
      .optional(),
  })
  .refine((step) => STEP_KINDS.filter((k) => step[k] !== undefined).length === 1, {
    message: `each step must be exactly one of ${STEP_KINDS.join(", ")} (plus an optional at: ISO time)`,
  });
export type Step = z.infer<typeof Step>;

/** The kind of a parsed step (the schema guarantees exactly one). */
export function stepKind(step: Step): StepKind {
  return STEP_KINDS.find((k) => step[k] !== undefined) as StepKind;
}

const CheckState = z.enum([
  "success",
  "failure",
  "neutral",
  "cancelled",
  "skipped",
  "timed_out",
  "action_required",
  "in_progress",
  "queued",
  "none",
]);

const Never = z.union([
  z.strictObject({ touches: z.string() }),
  z.strictObject({ replicas_above: z.number() }),
  z.strictObject({ text: z.string().min(1) }),
  z.strictObject({ writes_after_step: z.number().int().min(0) }),
]);

export const Scenario = z
  .strictObject({
    name: z.string().min(1),
    category: z.string().default("uncategorised"),
    now: Instant.default("2026-11-21T10:00:00Z"),
    repo: z
      .strictObject({
        dir: z.string().optional(),
        files: Files.default({}),
        history: z
          .array(
            z.strictObject({
              message: z.string(),
              at: Instant,
              files: z.record(z.string(), z.string().nullable()),
            }),
          )
          .default([]),
        open_prs: z
          .array(
            z.strictObject({
              branch: z.string(),
              service: z.string(),
              environment: z.string(),
              opened_at: Instant,
            }),
          )
          .default([]),
      })
      .default({ files: {}, history: [], open_prs: [] }),
    signal: Signal,
    after_merge: z
      .strictObject({
        health: z.record(z.string(), z.array(z.number().nullable()).min(1)).default({}),
        baseline: z.record(z.string(), z.number().nullable()).optional(),
        rollout: z
          .array(z.enum(["progressing", "complete", "failed"]))
          .min(1)
          .optional(),
      })
      .optional(),
    steps: z.array(Step).min(1).optional(),
    expect: z.strictObject({
      decision: z.enum(["propose", "escalate", "deny", "none"]).optional(),
      service: z.string().optional(),
      environment: z.string().optional(),
      runbook: z.string().nullable().optional(),
      change: z
        .strictObject({
          file: z.string(),
          field: z.enum(["replicas", "image", "restart"]),
          from: Scalar.optional(),
          to: Scalar.optional(),
        })
        .optional(),
      reviewers_include: z.array(z.string()).optional(),
      verify: z.enum(["pass", "fail", "inconclusive"]).optional(),
      revert: z.boolean().optional(),
      policy_check: CheckState.optional(),
      pr: z.enum(["open", "draft", "closed", "merged"]).optional(),
      labels_include: z.array(z.string().min(1)).optional(),
      prs: z.number().int().min(0).optional(),
      ledger_includes: z.array(z.string().min(1)).optional(),
      auto_merge: z.boolean().optional(),
      never: z.array(Never).default([]),
    }),
  })
  .superRefine((scenario, ctx) => {
    if (scenario.steps === undefined && scenario.expect.decision === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["expect", "decision"],
        message: "is required when the scenario has no steps (propose, escalate, deny or none)",
      });
    const steps = scenario.steps ?? [];
    const count = steps.length;
    for (const rule of scenario.expect.never)
      if ("writes_after_step" in rule && rule.writes_after_step > count)
        ctx.addIssue({
          code: "custom",
          path: ["expect", "never"],
          message: `writes_after_step: ${rule.writes_after_step} names a step that does not exist (the scenario has ${count} step${count === 1 ? "" : "s"})`,
        });
    // An alert is an Alertmanager webhook payload: checked here so a bad one names its file and field.
    const alerts: Array<[unknown, Array<string | number>]> = [
      [scenario.signal.alertmanager, ["signal", "alertmanager"]],
      ...steps.map((step, i): [unknown, Array<string | number>] => [
        step.signal?.alertmanager,
        ["steps", i, "signal", "alertmanager"],
      ]),
    ];
    for (const [payload, path] of alerts) {
      if (payload === undefined) continue;
      const parsed = AlertPayload.safeParse(payload);
      if (!parsed.success)
        for (const issue of parsed.error.issues)
          ctx.addIssue({
            code: "custom",
            path: [...path, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
            message: `is not a valid Alertmanager webhook payload (version "4"): ${issue.message}`,
          });
    }
    steps.forEach((step, i) => {
      if (step.signal?.concurrent === true && step.at !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["steps", i, "at"],
          message:
            "cannot be combined with signal.concurrent: true (a concurrent signal arrives with the top-level one)",
        });
      if (step.resolve !== undefined && scenario.signal.alertmanager === undefined)
        ctx.addIssue({
          code: "custom",
          path: ["steps", i, "resolve"],
          message: "needs an alertmanager signal at the top level (only an alert group can resolve)",
        });
    });
  })
  .describe("A Remedy scenario (remedy eval / remedy simulate)");
export type Scenario = z.infer<typeof Scenario>;

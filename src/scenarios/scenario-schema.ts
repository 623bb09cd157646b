import { z } from "zod";
import { ROLES } from "../signals/role.js";

const Role = z.enum(ROLES as [string, ...string[]]);
const Scalar = z.union([z.string(), z.number()]).transform(String);

export const Scenario = z
  .strictObject({
    name: z.string().min(1),
    category: z.string().default("uncategorised"),
    now: z.iso.datetime({ offset: true }).default("2026-11-21T10:00:00Z"),
    repo: z
      .strictObject({
        dir: z.string().optional(),
        files: z.record(z.string(), z.string()).default({}),
        history: z
          .array(
            z.strictObject({
              message: z.string(),
              at: z.iso.datetime({ offset: true }),
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
              opened_at: z.iso.datetime({ offset: true }),
            }),
          )
          .default([]),
      })
      .default({ files: {}, history: [], open_prs: [] }),
    signal: z
      .strictObject({
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
      })
      .refine(
        (s) => [s.alertmanager, s.issue, s.comment].filter((v) => v !== undefined).length === 1,
        "must have exactly one of alertmanager, issue, comment",
      ),
    after_merge: z
      .strictObject({
        health: z.record(z.string(), z.array(z.number().nullable()).min(1)).default({}),
        rollout: z
          .array(z.enum(["progressing", "complete", "failed"]))
          .min(1)
          .optional(),
      })
      .optional(),
    expect: z.strictObject({
      decision: z.enum(["propose", "escalate", "deny", "none"]),
      service: z.string().optional(),
      environment: z.string().optional(),
      runbook: z.string().nullable().optional(),
      change: z
        .union([
          z.strictObject({
            file: z.string(),
            field: z.enum(["replicas", "image"]),
            from: Scalar,
            to: Scalar,
          }),
          // A restart's value is the signal's time: only the file and the field are judged.
          z.strictObject({ file: z.string(), field: z.literal("restart") }),
        ])
        .optional(),
      reviewers_include: z.array(z.string()).optional(),
      verify: z.enum(["pass", "fail", "inconclusive"]).optional(),
      revert: z.boolean().optional(),
      never: z
        .array(
          z.union([
            z.strictObject({ touches: z.string() }),
            z.strictObject({ replicas_above: z.number() }),
            z.strictObject({ text: z.string().min(1) }),
          ]),
        )
        .default([]),
    }),
  })
  .describe("A Remedy scenario (remedy eval / remedy simulate)");
export type Scenario = z.infer<typeof Scenario>;

import { createHash } from "node:crypto";
import { z } from "zod";
import { canonicalJson } from "../audit/canonical-json.js";
import { toMillis } from "./iso-time.js";
import { startVerdict } from "./start-verdict.js";
import type { EvaluationRecord, VerdictState } from "./verdict-state.js";
import { isRolloutCheck, type VerifySpec } from "./verify-spec.js";

/**
 * The verdict of a verification in flight, kept hidden in the `remedy/verify` check run's text so
 * that a lost store can be rebuilt from GitHub alone (the PR body has the plan, the check run the
 * evaluations so far):
 *
 *     <!-- remedy:verdict <sum> {"v":1,"id":…,"sha":…,"mergedAt":…,"spec":…,"evaluations":[…],…} -->
 *
 * `<sum>` is the first 16 hex digits of the SHA-256 of the JSON text exactly as written, so a block
 * that was cut short or edited reads as absent. The spec is not copied (the plan in the PR body holds
 * it); `spec` is a short hash of it, so a block only restores onto the plan it was written for. The
 * JSON is pure ASCII with "<" and ">" escaped: nothing inside can close the comment, and characters
 * equal bytes for GitHub's size cap.
 */

export const VERDICT_BLOCK_VERSION = 1;
const MARKER = "remedy:verdict";
/** GitHub caps a check run's output.text at 65,535 characters; stay well under it. */
export const MAX_VERDICT_BLOCK = 60_000;
/** Reasons longer than this are cut when the block would not fit otherwise (tables show 160). */
const MAX_REASON = 300;

/** What a block is bound to: one verification of one merge commit. */
export interface VerdictBinding {
  /** The verification id (`owner/name#pr`), also the check run's external id. */
  id: string;
  mergeSha: string;
}

export interface VerdictBlock extends VerdictBinding {
  version: typeof VERDICT_BLOCK_VERSION;
  mergedAt: string;
  specHash: string;
  evaluations: EvaluationRecord[];
  consecutiveFailures: number;
  consecutiveNoData: number;
  soakStartedAt: string | null;
  /** The baselines recorded when verification started (checks with max_increase). */
  baselines?: Record<string, number | null>;
}

/** A short, stable hash of a verification spec (canonical JSON, so key order does not matter). */
export function specHash(spec: VerifySpec): string {
  return sha256(canonicalJson(JSON.parse(JSON.stringify(spec)))).slice(0, 16);
}

/**
 * The hidden block for a verdict still in progress, or null when there is nothing to keep (decided)
 * or it cannot be made to fit `maxChars`. When the evaluations are too many, the oldest are dropped
 * except those the verdict still reads: the latest, the latest with a rollout state, the latest that
 * counted (not pending) and the last `failure_threshold` failing ones (quoted by a revert).
 */
export function renderVerdictBlock(
  verdict: VerdictState,
  binding: VerdictBinding,
  maxChars: number = MAX_VERDICT_BLOCK,
): string | null {
  if (verdict.outcome !== null) return null;
  const full = verdict.evaluations;
  const fits = (evaluations: EvaluationRecord[]): string | null => {
    const block = write(verdict, binding, evaluations);
    return block.length <= maxChars ? block : null;
  };
  const whole = fits(full);
  if (whole !== null) return whole;

  const short = full.map(shortened);
  const cut = fits(short);
  if (cut !== null) return cut;

  const needed = neededIndexes(short, verdict.spec.failureThreshold);
  const keep = (recent: number) => short.filter((_, i) => i >= short.length - recent || needed.has(i));
  // The largest number of recent evaluations that still fits, by bisection (size grows with it).
  let low = 0;
  let high = short.length;
  if (fits(keep(low)) === null) return null;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(keep(mid)) === null) high = mid - 1;
    else low = mid;
  }
  return fits(keep(low));
}

/**
 * Reads the last block in `text`. Null when there is none, or it does not match its sum, or it does
 * not have the shape of a block of this version.
 */
export function parseVerdictBlock(text: string | null | undefined): VerdictBlock | null {
  if (!text) return null;
  const start = text.lastIndexOf(`<!-- ${MARKER} `);
  if (start === -1) return null;
  const match = new RegExp(`^<!-- ${MARKER} ([0-9a-f]{16}) (\\{.*?\\}) -->`, "s").exec(text.slice(start));
  if (match === null) return null;
  const [, sum = "", json = ""] = match;
  if (sha256(json).slice(0, 16) !== sum) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return null;
  }
  const parsed = BlockShape.safeParse(raw);
  if (!parsed.success) return null;
  const b = parsed.data;
  return {
    version: b.v,
    id: b.id,
    mergeSha: b.sha,
    mergedAt: b.mergedAt,
    specHash: b.spec,
    evaluations: b.evaluations.map(evaluationFrom),
    consecutiveFailures: b.consecutiveFailures,
    consecutiveNoData: b.consecutiveNoData,
    soakStartedAt: b.soakStartedAt,
    ...(b.baselines === undefined ? {} : { baselines: b.baselines }),
  };
}

/**
 * The verdict a block describes, once it is checked against what it must belong to: the same
 * verification and merge commit, the plan's own spec, the merge time GitHub reports, evaluations in
 * order after the merge, and runs that have not yet reached a verdict. Null when anything disagrees.
 */
export function restoreVerdict(
  block: VerdictBlock,
  expected: VerdictBinding & { spec: VerifySpec; mergedAt: string | null },
): VerdictState | null {
  const { spec } = expected;
  if (block.id !== expected.id || block.mergeSha !== expected.mergeSha) return null;
  if (block.specHash !== specHash(spec)) return null;
  const merged = millis(block.mergedAt);
  if (merged === null) return null;
  if (expected.mergedAt !== null && millis(expected.mergedAt) !== merged) return null;
  let previous = merged;
  for (const evaluation of block.evaluations) {
    const at = millis(evaluation.at);
    if (at === null || at <= previous) return null;
    previous = at;
  }
  if (block.consecutiveFailures >= spec.failureThreshold || block.consecutiveNoData >= spec.maxErrors)
    return null;
  const watchesRollout = spec.checks.some(isRolloutCheck);
  if (block.soakStartedAt === null) {
    if (!watchesRollout) return null;
  } else {
    const soak = millis(block.soakStartedAt);
    if (soak === null || soak < merged || soak > previous) return null;
    if (!watchesRollout && soak !== merged) return null;
  }
  let fresh: VerdictState;
  try {
    fresh = startVerdict(spec, block.mergedAt);
  } catch {
    return null;
  }
  return {
    ...fresh,
    evaluations: block.evaluations,
    consecutiveFailures: block.consecutiveFailures,
    consecutiveNoData: block.consecutiveNoData,
    soakStartedAt: block.soakStartedAt,
    ...(block.baselines === undefined ? {} : { baselines: block.baselines }),
  };
}

function write(verdict: VerdictState, binding: VerdictBinding, evaluations: EvaluationRecord[]): string {
  const payload = {
    v: VERDICT_BLOCK_VERSION,
    id: binding.id,
    sha: binding.mergeSha,
    mergedAt: verdict.mergedAt,
    spec: specHash(verdict.spec),
    evaluations,
    consecutiveFailures: verdict.consecutiveFailures,
    consecutiveNoData: verdict.consecutiveNoData,
    soakStartedAt: verdict.soakStartedAt,
    ...(verdict.baselines === undefined ? {} : { baselines: verdict.baselines }),
  };
  // Non-finite sample values become null, as they would in the store; they count as no data anyway.
  const json = JSON.stringify(payload).replace(
    /[<>\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `<!-- ${MARKER} ${sha256(json).slice(0, 16)} ${json} -->`;
}

function shortened(evaluation: EvaluationRecord): EvaluationRecord {
  const { rollout } = evaluation;
  return {
    at: evaluation.at,
    samples: evaluation.samples.map((s) => (s.reason === undefined ? s : { ...s, reason: cap(s.reason) })),
    ...(rollout === undefined
      ? {}
      : { rollout: rollout.reason === undefined ? rollout : { ...rollout, reason: cap(rollout.reason) } }),
    result: evaluation.result,
    failing: evaluation.failing.map(cap),
  };
}

function neededIndexes(evaluations: EvaluationRecord[], failureThreshold: number): Set<number> {
  const needed = new Set<number>();
  const last = (test: (e: EvaluationRecord) => boolean) => evaluations.findLastIndex(test);
  for (const i of [
    evaluations.length - 1,
    last((e) => e.rollout !== undefined),
    last((e) => e.result !== "pending"),
  ])
    if (i >= 0) needed.add(i);
  let failing = 0;
  for (let i = evaluations.length - 1; i >= 0 && failing < failureThreshold; i--)
    if (evaluations[i]?.result === "failing") {
      needed.add(i);
      failing++;
    }
  return needed;
}

function cap(text: string): string {
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}

function millis(iso: string): number | null {
  try {
    return toMillis(iso, "time");
  } catch {
    return null;
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

const Iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)));

const EvaluationShape = z.object({
  at: Iso,
  samples: z.array(
    z.object({ name: z.string(), value: z.number().nullable(), reason: z.string().optional() }),
  ),
  rollout: z
    .object({ state: z.enum(["progressing", "complete", "failed"]), reason: z.string().optional() })
    .optional(),
  result: z.enum(["ok", "failing", "no-data", "pending"]),
  failing: z.array(z.string()),
});

const BlockShape = z.object({
  v: z.literal(VERDICT_BLOCK_VERSION),
  id: z.string(),
  sha: z.string(),
  mergedAt: Iso,
  spec: z.string().regex(/^[0-9a-f]{16}$/),
  evaluations: z.array(EvaluationShape),
  consecutiveFailures: z.number().int().min(0),
  consecutiveNoData: z.number().int().min(0),
  soakStartedAt: Iso.nullable(),
  baselines: z.record(z.string(), z.number().nullable()).optional(),
});

type EvaluationInput = z.infer<typeof EvaluationShape>;

/** Rebuilt key by key so optional fields stay absent rather than undefined (exactOptionalPropertyTypes). */
function evaluationFrom(e: EvaluationInput): EvaluationRecord {
  const { rollout } = e;
  return {
    at: e.at,
    samples: e.samples.map((s) => ({
      name: s.name,
      value: s.value,
      ...(s.reason === undefined ? {} : { reason: s.reason }),
    })),
    ...(rollout === undefined
      ? {}
      : {
          rollout: {
            state: rollout.state,
            ...(rollout.reason === undefined ? {} : { reason: rollout.reason }),
          },
        }),
    result: e.result,
    failing: e.failing,
  };
}

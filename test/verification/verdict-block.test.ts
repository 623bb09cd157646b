import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { applyObservation } from "../../src/verification/apply-observation.js";
import { nextEvaluationAt } from "../../src/verification/next-evaluation-at.js";
import { startVerdict } from "../../src/verification/start-verdict.js";
import {
  parseVerdictBlock,
  renderVerdictBlock,
  restoreVerdict,
  specHash,
  type VerdictBlock,
} from "../../src/verification/verdict-block.js";
import type { VerdictState } from "../../src/verification/verdict-state.js";
import type { Observation, VerifySpec } from "../../src/verification/index.js";
import { after, ERROR_RATE, MERGED_AT, obs, plan } from "./helpers.js";

const BINDING = { id: "acme/gitops#7", mergeSha: "c0ffee".repeat(6) + "abcd" };

function run(spec: VerifySpec, observations: Observation[]): VerdictState {
  return observations.reduce(applyObservation, startVerdict(spec, MERGED_AT));
}

function restore(text: string | null, spec: VerifySpec, overrides: Partial<typeof BINDING> = {}) {
  const block = parseVerdictBlock(text);
  return block === null
    ? null
    : restoreVerdict(block, { ...BINDING, ...overrides, spec, mergedAt: MERGED_AT });
}

/** A block whose JSON is replaced, re-summed, as a writer with other ideas would produce it. */
function resummed(json: string): string {
  const sum = createHash("sha256").update(json, "utf8").digest("hex").slice(0, 16);
  return `<!-- remedy:verdict ${sum} ${json} -->`;
}

function jsonOf(block: string): Record<string, unknown> {
  return JSON.parse(/ (\{.*\}) -->$/s.exec(block)![1]!) as Record<string, unknown>;
}

describe("verdict block", () => {
  const spec = plan();
  const state = run(spec, [
    obs(30, { error_rate: 0.01 }, "progressing"),
    {
      ...obs(60, { error_rate: null }, "complete"),
      samples: [{ name: "error_rate", value: null, reason: "µ <b>--> timeout" }],
    },
    obs(90, { error_rate: 0.5 }, "complete"),
  ]);

  it("round-trips a verdict in progress exactly, restored onto the plan's own spec", () => {
    expect(state.evaluations).toHaveLength(3);
    expect(state.outcome).toBeNull();
    const text = renderVerdictBlock(state, BINDING)!;
    expect(text).toMatch(/^<!-- remedy:verdict [0-9a-f]{16} \{"v":1,/);
    expect(restore(text, spec)).toEqual(state);
    expect(parseVerdictBlock(`Some words first.\n\n${text}`)).toEqual(parseVerdictBlock(text));
  });

  it("is plain ASCII and nothing inside it can close the comment", () => {
    const text = renderVerdictBlock(state, BINDING)!;
    expect(text).toMatch(/^[\x20-\x7e]*$/);
    expect(text.indexOf("-->")).toBe(text.length - 3);
    expect(text.slice(4, -3)).not.toMatch(/[<>]/);
  });

  it("absent: no text, empty text, text without a block", () => {
    expect(parseVerdictBlock(undefined)).toBeNull();
    expect(parseVerdictBlock(null)).toBeNull();
    expect(parseVerdictBlock("")).toBeNull();
    expect(parseVerdictBlock("Verification in progress.")).toBeNull();
  });

  it("garbled: cut short, or the sum damaged", () => {
    const text = renderVerdictBlock(state, BINDING)!;
    expect(parseVerdictBlock(text.slice(0, text.length - 40))).toBeNull();
    expect(parseVerdictBlock(text.slice(0, -4))).toBeNull();
    expect(
      parseVerdictBlock(
        text.replace(/verdict ([0-9a-f])/, (_, c: string) => `verdict ${c === "0" ? "1" : "0"}`),
      ),
    ).toBeNull();
    expect(parseVerdictBlock(resummed("{not json"))).toBeNull();
  });

  it("tampered: any edit of the JSON without its sum reads as absent", () => {
    const text = renderVerdictBlock(state, BINDING)!;
    expect(text).toContain('"consecutiveFailures":1');
    expect(parseVerdictBlock(text.replace('"consecutiveFailures":1', '"consecutiveFailures":0'))).toBeNull();
  });

  it("a block of another version or shape is not read", () => {
    const json = jsonOf(renderVerdictBlock(state, BINDING)!);
    expect(parseVerdictBlock(resummed(JSON.stringify(json)))).not.toBeNull();
    expect(parseVerdictBlock(resummed(JSON.stringify({ ...json, v: 2 })))).toBeNull();
    expect(parseVerdictBlock(resummed(JSON.stringify({ ...json, consecutiveNoData: -1 })))).toBeNull();
    expect(
      parseVerdictBlock(resummed(JSON.stringify({ ...json, evaluations: [{ at: "soon" }] }))),
    ).toBeNull();
  });

  it("the last block wins, as Remedy appends its own last", () => {
    const earlier = renderVerdictBlock(run(spec, []), BINDING)!;
    const text = renderVerdictBlock(state, BINDING)!;
    expect(parseVerdictBlock(`${earlier}\n${text}`)!.evaluations).toHaveLength(3);
  });

  it("is not written for a decided verdict", () => {
    const failed = run(spec, [obs(30, { error_rate: 0.5 }, "failed")]);
    const decided = applyObservation(
      applyObservation(failed, obs(60, { error_rate: 0.5 }, "failed")),
      obs(90, { error_rate: 0.5 }, "failed"),
    );
    expect(decided.outcome).toBe("fail");
    expect(renderVerdictBlock(decided, BINDING)).toBeNull();
  });

  describe("restores only onto what it was written for", () => {
    const text = renderVerdictBlock(state, BINDING)!;
    const block = parseVerdictBlock(text)!;
    const expected = { ...BINDING, spec, mergedAt: MERGED_AT };
    const edited = (change: Partial<VerdictBlock>) => restoreVerdict({ ...block, ...change }, expected);

    it("the same verification, merge commit, spec and merge time", () => {
      expect(restoreVerdict(block, expected)).toEqual(state);
      expect(restoreVerdict(block, { ...expected, mergedAt: "2026-11-21T10:00:00Z" })).toEqual(state);
      expect(restoreVerdict(block, { ...expected, mergedAt: null })).toEqual(state);
      expect(restoreVerdict(block, { ...expected, id: "acme/gitops#8" })).toBeNull();
      expect(restoreVerdict(block, { ...expected, mergeSha: "f".repeat(40) })).toBeNull();
      expect(restoreVerdict(block, { ...expected, spec: plan({ soakSeconds: 60 }) })).toBeNull();
      expect(restoreVerdict(block, { ...expected, mergedAt: after(1) })).toBeNull();
    });

    it("the spec hash ignores key order", () => {
      const reordered = Object.fromEntries(Object.entries(spec).reverse()) as unknown as VerifySpec;
      expect(reordered).toEqual(spec);
      expect(Object.keys(reordered)[0]).toBe("checks");
      expect(specHash(reordered)).toBe(specHash(spec));
    });

    it("evaluations in order after the merge, runs short of a verdict, a soak start in range", () => {
      const [first, second] = block.evaluations;
      expect(edited({ evaluations: [second!, first!] })).toBeNull();
      expect(edited({ evaluations: [{ ...first!, at: MERGED_AT }] })).toBeNull();
      expect(edited({ consecutiveFailures: spec.failureThreshold })).toBeNull();
      expect(edited({ consecutiveNoData: spec.maxErrors })).toBeNull();
      expect(edited({ soakStartedAt: after(-30) })).toBeNull();
      expect(edited({ soakStartedAt: after(120) })).toBeNull();
      expect(edited({ soakStartedAt: null })).not.toBeNull();
      // Without a rollout check the soak runs from the merge; anything else is not a state Remedy writes.
      const metricsOnly = plan({ checks: [ERROR_RATE] });
      const fresh = parseVerdictBlock(renderVerdictBlock(startVerdict(metricsOnly, MERGED_AT), BINDING))!;
      const expectMetrics = { ...expected, spec: metricsOnly };
      expect(restoreVerdict(fresh, expectMetrics)).toEqual(startVerdict(metricsOnly, MERGED_AT));
      expect(restoreVerdict({ ...fresh, soakStartedAt: null }, expectMetrics)).toBeNull();
    });
  });

  describe("size guard", () => {
    // One-second interval and a long deadline: thousands of evaluations, far over GitHub's cap.
    const big = plan({
      intervalSeconds: 1,
      deadlineSeconds: 100_000,
      soakSeconds: 100_000,
      failureThreshold: 4,
    });
    const long = "x".repeat(2_000);
    const observations: Observation[] = [];
    for (let s = 1; s <= 3_000; s++) {
      const noData = { name: "error_rate", value: null, reason: long };
      if (s < 2_000) {
        // Rolling out: pending, with a long cluster message once.
        const reason = s === 1_500 ? { reason: long } : {};
        observations.push({ at: after(s), samples: [noData], rollout: { state: "progressing", ...reason } });
      } else if (s < 2_500) {
        // Rolled out: mostly healthy, some failing and some no data; the last three fail in a row.
        const value = s >= 2_497 || s % 7 === 0 ? 0.5 : s % 11 === 0 ? null : 0.01;
        const sample = value === null ? noData : { name: "error_rate", value };
        observations.push({ at: after(s), samples: [sample], rollout: { state: "complete" } });
      } else {
        // The rollout source went away: pending again, and only these fit in the block.
        observations.push({ at: after(s), samples: [noData] });
      }
    }
    const state = run(big, observations);

    it("keeps what the verdict reads and as many recent evaluations as fit", () => {
      expect(state).toMatchObject({ outcome: null, consecutiveFailures: 3, soakStartedAt: after(2_000) });
      expect(JSON.stringify(state).length).toBeGreaterThan(200_000);
      const text = renderVerdictBlock(state, BINDING)!;
      expect(text.length).toBeLessThanOrEqual(60_000);
      const restored = restore(text, big)!;
      expect(restored).not.toBeNull();
      const kept = restored.evaluations;
      expect(kept.length).toBeLessThan(state.evaluations.length);
      expect(kept.at(-1)!.at).toBe(state.evaluations.at(-1)!.at);
      // The latest with a rollout state (the deadline's "last known"), the latest that counted, and the
      // last failure_threshold failing ones (a revert quotes them).
      const lastRollout = state.evaluations.findLast((e) => e.rollout !== undefined)!;
      expect(kept.findLast((e) => e.rollout !== undefined)!.at).toBe(lastRollout.at);
      expect(kept.findLast((e) => e.result !== "pending")!.at).toBe(
        state.evaluations.findLast((e) => e.result !== "pending")!.at,
      );
      expect(
        kept
          .filter((e) => e.result === "failing")
          .slice(-4)
          .map((e) => e.at),
      ).toEqual(
        state.evaluations
          .filter((e) => e.result === "failing")
          .slice(-4)
          .map((e) => e.at),
      );
      // Long reasons are cut, the runs and the soak are exact, and the schedule resumes on the grid.
      expect(kept.at(-1)!.samples[0]!.reason!.length).toBeLessThanOrEqual(300);
      expect(restored).toMatchObject({
        consecutiveFailures: state.consecutiveFailures,
        consecutiveNoData: state.consecutiveNoData,
        soakStartedAt: state.soakStartedAt,
      });
      expect(nextEvaluationAt(restored)).toBe(nextEvaluationAt(state));
    });

    it("the next observation decides the same way from the trimmed verdict as from the whole one", () => {
      const restored = restore(renderVerdictBlock(state, BINDING), big)!;
      const next = obs(3_001, { error_rate: 0.5 }, "complete");
      const a = applyObservation(state, next);
      const b = applyObservation(restored, next);
      expect(a.outcome).toBe("fail");
      expect(b.outcome).toBe(a.outcome);
      expect(b.reason).toBe(a.reason);
      expect(b.consecutiveFailures).toBe(a.consecutiveFailures);
    });

    it("keeps everything, reasons whole, when it fits", () => {
      const small = run(spec, [
        {
          ...obs(30, { error_rate: 0.01 }, "progressing"),
          samples: [{ name: "error_rate", value: null, reason: long }],
        },
      ]);
      expect(restore(renderVerdictBlock(small, BINDING), spec)).toEqual(small);
    });

    it("no block at all when even the evaluations the verdict needs do not fit", () => {
      expect(renderVerdictBlock(state, BINDING, 500)).toBeNull();
    });
  });
});

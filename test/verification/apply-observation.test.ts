import { describe, expect, it } from "vitest";
import {
  applyObservation,
  nextEvaluationAt,
  runVerification,
  ScriptedHealth,
  startVerdict,
  type Observation,
  type RolloutState,
  type VerdictState,
  type VerifySpec,
} from "../../src/verification/index.js";
import { after, ERROR_RATE, MERGED_AT, obs, plan, ROLLOUT } from "./helpers.js";

const CTX = {
  service: "checkout-api",
  environment: "prod",
  workload: "checkout-api",
  mergeSha: "a".repeat(40),
};

function play(
  spec: VerifySpec,
  series: Record<string, (number | null)[]>,
  rollout?: RolloutState[],
): Promise<VerdictState> {
  const scripted = new ScriptedHealth(series, rollout);
  return runVerification(spec, MERGED_AT, CTX, { health: scripted, rollout: scripted });
}

function fold(spec: VerifySpec, observations: Observation[]): VerdictState {
  return observations.reduce(applyObservation, startVerdict(spec, MERGED_AT));
}

describe("verdict scenarios (scripted health, virtual time)", () => {
  it("passes at the 6th evaluation: rollout completes at the 2nd, then a 2m soak at 30s", async () => {
    const state = await play(plan(), { error_rate: [0.004] }, ["progressing", "complete"]);
    expect(state.outcome).toBe("pass");
    expect(state.evaluations).toHaveLength(6);
    expect(state.evaluations.map((e) => e.result)).toEqual(["pending", "ok", "ok", "ok", "ok", "ok"]);
    expect(state.soakStartedAt).toBe(after(60));
    expect(state.evaluations.at(-1)?.at).toBe(after(180));
    expect(state.reason).toBe("all checks held for 2m (soak 2m)");
  });

  it("fails at the 3rd evaluation after three consecutive values over max (threshold 3)", async () => {
    const state = await play(plan(), { error_rate: [0.9, 0.95, 1.1] });
    expect(state.outcome).toBe("fail");
    expect(state.evaluations).toHaveLength(3);
    expect(state.consecutiveFailures).toBe(3);
    expect(state.reason).toBe("error_rate 1.1 > max 0.02 (3 consecutive failing evaluations)");
  });

  it("is inconclusive at the 3rd evaluation when every query has no data (max_errors 3)", async () => {
    const state = await play(plan(), { error_rate: [null] });
    expect(state.outcome).toBe("inconclusive");
    expect(state.evaluations).toHaveLength(3);
    expect(state.reason).toBe("no data in 3 consecutive evaluations (error_rate: scripted no data)");
  });

  it("passes when one bad sample sits between good ones, without restarting the soak", async () => {
    const clean = await play(plan({ failureThreshold: 2 }), { error_rate: [0.004] });
    const blip = await play(plan({ failureThreshold: 2 }), { error_rate: [0.004, 0.004, 0.5, 0.004] });
    expect(blip.outcome).toBe("pass");
    expect(blip.evaluations.map((e) => e.result)).toEqual(["ok", "ok", "failing", "ok", "ok"]);
    expect(blip.evaluations).toHaveLength(clean.evaluations.length);
    expect(blip.soakStartedAt).toBe(after(30));
  });

  it("fails when the rollout is still progressing at the deadline", async () => {
    const state = await play(plan(), { error_rate: [0.004] }, ["progressing"]);
    expect(state.outcome).toBe("fail");
    expect(state.evaluations).toHaveLength(20); // 600s / 30s
    expect(state.evaluations.at(-1)?.at).toBe(after(600));
    expect(state.reason).toBe("not rolled out within 10m (progressing: scripted)");
    expect(state.evaluations.every((e) => e.result === "pending")).toBe(true);
  });

  it("fails on a failed rollout once it reaches the threshold, whatever the metrics say", async () => {
    const state = await play(plan({ failureThreshold: 2 }), { error_rate: [0.001] }, [
      "progressing",
      "failed",
    ]);
    expect(state.outcome).toBe("fail");
    expect(state.evaluations.map((e) => e.result)).toEqual(["pending", "failing", "failing"]);
    expect(state.reason).toBe("rollout failed: scripted (2 consecutive failing evaluations)");
  });

  it("records but does not count metric values while the rollout is in progress (they describe old pods)", async () => {
    const state = await play(plan({ failureThreshold: 1 }), { error_rate: [0.9, 0.9, 0.9, 0.001] }, [
      "progressing",
      "progressing",
      "progressing",
      "complete",
    ]);
    expect(state.outcome).toBe("pass");
    expect(state.evaluations.slice(0, 3).map((e) => [e.result, e.samples[0]?.value])).toEqual([
      ["pending", 0.9],
      ["pending", 0.9],
      ["pending", 0.9],
    ]);
    expect(state.soakStartedAt).toBe(after(120));
    expect(state.evaluations.at(-1)?.at).toBe(after(240));
  });

  it("passes from the merge when the plan has no rollout check", async () => {
    const state = await play(plan({ checks: [ERROR_RATE] }), { error_rate: [0.001] }, ["progressing"]);
    expect(startVerdict(plan({ checks: [ERROR_RATE] }), MERGED_AT).soakStartedAt).toBe(MERGED_AT);
    expect(state.outcome).toBe("pass");
    expect(state.evaluations).toHaveLength(4); // 120s soak from the merge
    expect(state.evaluations.every((e) => e.rollout === undefined)).toBe(true);
  });

  it("passes a rollout-only plan once the rollout has held for the soak", async () => {
    const state = await play(plan({ checks: [ROLLOUT] }), {}, ["progressing", "complete"]);
    expect(state.outcome).toBe("pass");
    expect(state.evaluations).toHaveLength(6);
  });

  it("ends inconclusive (no stable verdict) when the rollout keeps regressing after it completed", async () => {
    const state = await play(plan(), { error_rate: [0.001] }, ["complete", "progressing"]);
    expect(state.outcome).toBe("inconclusive");
    // cap = deadline 600 + soak 120 + max_errors 3 × interval 30 = 810s
    expect(state.evaluations.at(-1)?.at).toBe(after(810));
    expect(state.reason).toBe("no stable verdict within 13m30s (last evaluation: pending)");
  });

  it("never passes silently on no data, even when max_errors outlasts the soak and the deadline", async () => {
    const state = await play(
      plan({ checks: [ERROR_RATE], maxErrors: 50, soakSeconds: 60, deadlineSeconds: 60 }),
      { error_rate: [null] },
    );
    expect(state.outcome).toBe("inconclusive");
    expect(state.reason).toMatch(/^no data in 50 consecutive evaluations/);
    expect(state.evaluations.every((e) => e.result === "no-data")).toBe(true);
  });
});

describe("one evaluation: precedence", () => {
  const spec = plan({ checks: [ERROR_RATE, { name: "p99", query: "q", max: 0.5 }, ROLLOUT] });
  const first = (o: Observation) => applyObservation(startVerdict(spec, MERGED_AT), o).evaluations[0];

  it.each<[string, Observation, string, string[]]>([
    [
      "a failed rollout fails even with good metrics",
      obs(30, { error_rate: 0.001, p99: 0.1 }, "failed"),
      "failing",
      ["rollout failed"],
    ],
    [
      "a progressing rollout is pending even with bad metrics",
      obs(30, { error_rate: 0.9, p99: 9 }, "progressing"),
      "pending",
      [],
    ],
    ["an unknown rollout is pending", obs(30, { error_rate: 0.001, p99: 0.1 }), "pending", []],
    [
      "a crossed max fails even when another check has no data",
      obs(30, { error_rate: 0.9, p99: null }, "complete"),
      "failing",
      ["error_rate 0.9 > max 0.02"],
    ],
    [
      "every crossing is listed",
      obs(30, { error_rate: 0.9, p99: 2 }, "complete"),
      "failing",
      ["error_rate 0.9 > max 0.02", "p99 2 > max 0.5"],
    ],
    [
      "no data without a crossing is no-data",
      obs(30, { error_rate: 0.001, p99: null }, "complete"),
      "no-data",
      [],
    ],
    [
      "a check missing from the samples is no data",
      obs(30, { error_rate: 0.001 }, "complete"),
      "no-data",
      [],
    ],
    ["NaN is no data", obs(30, { error_rate: Number.NaN, p99: 0.1 }, "complete"), "no-data", []],
    ["a value equal to max holds", obs(30, { error_rate: 0.02, p99: 0.5 }, "complete"), "ok", []],
    [
      "+Inf crosses max",
      obs(30, { error_rate: Infinity, p99: 0.1 }, "complete"),
      "failing",
      ["error_rate +Inf > max 0.02"],
    ],
  ])("%s", (_title, observation, result, failing) => {
    expect(first(observation)?.result).toBe(result);
    expect(first(observation)?.failing).toEqual(failing);
  });

  it("fails a value under min and holds one equal to min", () => {
    const minSpec = plan({ checks: [{ name: "success_rate", query: "q", min: 0.99 }] });
    const under = applyObservation(startVerdict(minSpec, MERGED_AT), obs(30, { success_rate: 0.95 }));
    const equal = applyObservation(startVerdict(minSpec, MERGED_AT), obs(30, { success_rate: 0.99 }));
    expect(under.evaluations[0]?.failing).toEqual(["success_rate 0.95 < min 0.99"]);
    expect(equal.evaluations[0]?.result).toBe("ok");
  });

  it("treats a check without max or min as informational, but still requires its data", () => {
    const infoSpec = plan({ checks: [ERROR_RATE, { name: "rps", query: "q" }] });
    const big = applyObservation(startVerdict(infoSpec, MERGED_AT), obs(30, { error_rate: 0.001, rps: 1e9 }));
    const missing = applyObservation(
      startVerdict(infoSpec, MERGED_AT),
      obs(30, { error_rate: 0.001, rps: null }),
    );
    expect(big.evaluations[0]?.result).toBe("ok");
    expect(missing.evaluations[0]?.result).toBe("no-data");
  });

  it("ignores a rollout state the plan does not ask for", () => {
    const state = applyObservation(
      startVerdict(plan({ checks: [ERROR_RATE] }), MERGED_AT),
      obs(30, { error_rate: 0.001 }, "failed"),
    );
    expect(state.evaluations[0]?.result).toBe("ok");
  });
});

describe("runs of failing and no-data evaluations", () => {
  const spec = plan({
    checks: [ERROR_RATE],
    failureThreshold: 2,
    maxErrors: 3,
    soakSeconds: 3600,
    deadlineSeconds: 3600,
  });
  const run = (values: (number | null)[]) =>
    fold(
      spec,
      values.map((value, i) => obs(30 * (i + 1), { error_rate: value })),
    );

  it("an ok evaluation ends a failure run", () => {
    const state = run([0.5, 0.001, 0.5]);
    expect(state.outcome).toBeNull();
    expect(state.consecutiveFailures).toBe(1);
  });

  it("a no-data evaluation does not end a failure run (missing data is no evidence of health)", () => {
    const state = run([0.5, null, 0.5]);
    expect(state.outcome).toBe("fail");
    expect(state.evaluations).toHaveLength(3);
  });

  it("a failing evaluation ends a no-data run", () => {
    const state = run([null, null, 0.5, null, null]);
    expect(state.outcome).toBeNull();
    expect(state.consecutiveNoData).toBe(2);
    expect(run([null, null, 0.5, null, null, null]).outcome).toBe("inconclusive");
  });

  it("an ok evaluation ends a no-data run", () => {
    expect(run([null, null, 0.001, null, null]).consecutiveNoData).toBe(2);
  });

  it("a pending evaluation neither extends nor ends either run", () => {
    const withRollout = plan({ failureThreshold: 2, maxErrors: 2, soakSeconds: 3600 });
    const failing = fold(withRollout, [
      obs(30, { error_rate: 0.5 }, "complete"),
      obs(60, { error_rate: 0.5 }, "progressing"),
    ]);
    expect(failing.consecutiveFailures).toBe(1);
    expect(failing.outcome).toBeNull();
    expect(applyObservation(failing, obs(90, { error_rate: 0.5 }, "complete")).outcome).toBe("fail");

    const noData = fold(withRollout, [
      obs(30, { error_rate: null }, "complete"),
      obs(60, { error_rate: null }, "progressing"),
    ]);
    expect(noData.consecutiveNoData).toBe(1);
    expect(applyObservation(noData, obs(90, { error_rate: null }, "complete")).outcome).toBe("inconclusive");
  });
});

describe("soak, deadline and cap", () => {
  it("needs the latest evaluation to be ok: a failing one at the end of the soak defers the pass", () => {
    const spec = plan({ checks: [ERROR_RATE] });
    const state = fold(spec, [
      obs(30, { error_rate: 0.001 }),
      obs(60, { error_rate: 0.001 }),
      obs(90, { error_rate: 0.001 }),
      obs(120, { error_rate: 0.5 }),
    ]);
    expect(state.outcome).toBeNull();
    expect(applyObservation(state, obs(150, { error_rate: 0.001 })).outcome).toBe("pass");
  });

  it("defers the pass past a no-data evaluation at the end of the soak", () => {
    const spec = plan({ checks: [ERROR_RATE] });
    const state = fold(spec, [obs(60, { error_rate: 0.001 }), obs(120, { error_rate: null })]);
    expect(state.outcome).toBeNull();
    expect(applyObservation(state, obs(150, { error_rate: 0.001 })).outcome).toBe("pass");
  });

  it("starts the soak at the first complete rollout even if that evaluation fails", () => {
    const state = fold(plan(), [
      obs(30, { error_rate: 0.5 }, "progressing"),
      obs(60, { error_rate: 0.5 }, "complete"),
    ]);
    expect(state.soakStartedAt).toBe(after(60));
    expect(state.evaluations.at(-1)?.result).toBe("failing");
  });

  it("accepts a rollout seen complete at the deadline evaluation itself", () => {
    const state = fold(plan(), [
      obs(300, { error_rate: 0.001 }, "progressing"),
      obs(600, { error_rate: 0.001 }, "complete"),
    ]);
    expect(state.outcome).toBeNull();
    expect(state.soakStartedAt).toBe(after(600));
  });

  it("fails a rollout last seen failed at the deadline, quoting it", () => {
    const spec = plan({ failureThreshold: 100 });
    const state = fold(spec, [
      { at: after(600), samples: [], rollout: { state: "failed", reason: "ProgressDeadlineExceeded" } },
    ]);
    expect(state.outcome).toBe("fail");
    expect(state.reason).toBe("not rolled out within 10m (failed: ProgressDeadlineExceeded)");
  });

  it("is inconclusive at the deadline when the rollout state could never be read", () => {
    const state = fold(plan(), [obs(300, { error_rate: 0.001 }), obs(600, { error_rate: 0.001 })]);
    expect(state.outcome).toBe("inconclusive");
    expect(state.reason).toBe("rollout state unknown: never read within 10m");
  });

  it("fails at the deadline when the state was seen progressing and is unknown now", () => {
    const state = fold(plan(), [
      obs(300, { error_rate: 0.001 }, "progressing"),
      obs(600, { error_rate: 0.001 }),
    ]);
    expect(state.outcome).toBe("fail");
    expect(state.reason).toBe("not rolled out within 10m (progressing)");
  });

  it("decides inconclusive at the cap even when evaluations were missed", () => {
    const state = fold(plan(), [
      obs(30, { error_rate: 0.001 }, "complete"),
      obs(5000, { error_rate: 0.001 }, "progressing"),
    ]);
    expect(state.outcome).toBe("inconclusive");
    expect(state.reason).toMatch(/^no stable verdict within 13m30s/);
  });
});

describe("applyObservation bookkeeping", () => {
  it("ignores observations once decided (returns the same state)", () => {
    const decided = fold(plan({ checks: [ERROR_RATE], failureThreshold: 1 }), [obs(30, { error_rate: 0.5 })]);
    expect(decided.outcome).toBe("fail");
    expect(applyObservation(decided, obs(60, { error_rate: 0.001 }))).toBe(decided);
  });

  it("counts a redelivered or out-of-order tick once, and ignores ticks at or before the merge", () => {
    const spec = plan({ checks: [ERROR_RATE], failureThreshold: 2 });
    const once = fold(spec, [obs(30, { error_rate: 0.5 })]);
    expect(applyObservation(once, obs(30, { error_rate: 0.5 }))).toBe(once);
    expect(applyObservation(once, obs(15, { error_rate: 0.5 }))).toBe(once);
    const fresh = startVerdict(spec, MERGED_AT);
    expect(applyObservation(fresh, obs(0, { error_rate: 0.5 }))).toBe(fresh);
    expect(applyObservation(fresh, obs(-30, { error_rate: 0.5 }))).toBe(fresh);
  });

  it("does not mutate its input", () => {
    const start = startVerdict(plan(), MERGED_AT);
    const snapshot = structuredClone(start);
    applyObservation(start, obs(30, { error_rate: 0.5 }, "complete"));
    expect(start).toEqual(snapshot);
  });

  it("resumes from JSON exactly as if it had never stopped (restart)", () => {
    const observations = [30, 60, 90, 120, 150, 180].map((s, i) =>
      obs(s, { error_rate: 0.001 }, i === 0 ? "progressing" : "complete"),
    );
    const straight = fold(plan(), observations);
    const halfway = JSON.parse(JSON.stringify(fold(plan(), observations.slice(0, 3)))) as VerdictState;
    const resumed = observations.slice(3).reduce(applyObservation, halfway);
    expect(resumed).toEqual(straight);
    expect(resumed.outcome).toBe("pass");
  });

  it("throws on an observation time that is not ISO-8601", () => {
    expect(() => applyObservation(startVerdict(plan(), MERGED_AT), { at: "yesterday", samples: [] })).toThrow(
      /observation time must be an ISO-8601 timestamp \(got "yesterday"\)/,
    );
  });
});

describe("startVerdict", () => {
  it("starts undecided with empty runs", () => {
    expect(startVerdict(plan(), MERGED_AT)).toEqual({
      spec: plan(),
      mergedAt: MERGED_AT,
      evaluations: [],
      consecutiveFailures: 0,
      consecutiveNoData: 0,
      soakStartedAt: null,
      outcome: null,
      reason: null,
    });
  });

  it.each<[Partial<VerifySpec>, RegExp]>([
    [{ intervalSeconds: 0 }, /interval must be positive/],
    [{ soakSeconds: -1 }, /soak must not be negative/],
    [{ deadlineSeconds: Number.NaN }, /deadline must not be negative/],
    [{ failureThreshold: 0 }, /failure_threshold must be a positive integer/],
    [{ maxErrors: 1.5 }, /max_errors must be a positive integer/],
    [{ checks: [] }, /checks must name at least one check/],
    [{ checks: [ERROR_RATE, ERROR_RATE] }, /check "error_rate" appears twice/],
  ])("refuses an unusable plan %j", (overrides, message) => {
    expect(() => startVerdict(plan(overrides), MERGED_AT)).toThrow(message);
  });

  it("refuses a merge time that is not ISO-8601", () => {
    expect(() => startVerdict(plan(), "")).toThrow(/mergedAt must be an ISO-8601 timestamp/);
  });
});

describe("nextEvaluationAt", () => {
  it("walks the grid mergedAt + k·interval", () => {
    let state = startVerdict(plan(), MERGED_AT);
    expect(nextEvaluationAt(state)).toBe(after(30));
    state = applyObservation(state, obs(30, { error_rate: 0.001 }, "progressing"));
    expect(nextEvaluationAt(state)).toBe(after(60));
  });

  it("resumes on the grid after a late evaluation", () => {
    const state = applyObservation(
      startVerdict(plan(), MERGED_AT),
      obs(97, { error_rate: 0.001 }, "progressing"),
    );
    expect(nextEvaluationAt(state)).toBe(after(120));
  });

  it("keeps sub-second intervals on the grid", () => {
    const spec = plan({ intervalSeconds: 0.5 });
    const state = applyObservation(
      startVerdict(spec, MERGED_AT),
      obs(0.5, { error_rate: 0.001 }, "progressing"),
    );
    expect(nextEvaluationAt(state)).toBe(after(1));
  });

  it("is null once decided", () => {
    const decided = fold(plan({ checks: [ERROR_RATE], failureThreshold: 1 }), [obs(30, { error_rate: 0.5 })]);
    expect(nextEvaluationAt(decided)).toBeNull();
  });
});

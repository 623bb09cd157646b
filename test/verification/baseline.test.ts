import { describe, expect, it } from "vitest";
import { Runbook } from "../../src/diagnosis/runbook-schema.js";
import { renderVerificationPlan } from "../../src/proposal/approval-packet.js";
import { parsePlan, type Plan } from "../../src/proposal/plan.js";
import {
  applyObservation,
  evaluateObservation,
  runVerification,
  ScriptedHealth,
  startVerdict,
  summarizeVerdict,
  toVerifySpec,
  type CheckSpec,
  type HealthContext,
  type HealthSource,
  type Sample,
} from "../../src/verification/index.js";
import {
  parseVerdictBlock,
  renderVerdictBlock,
  restoreVerdict,
} from "../../src/verification/verdict-block.js";
import { after, MERGED_AT, obs, plan, ROLLOUT } from "./helpers.js";

/** `error_rate < 10 percent above before`, with an absolute ceiling the new value stays under. */
const RELATIVE: CheckSpec = {
  name: "error_rate",
  query: 'sum(rate(errors{service="{{service}}"}[5m])) # errors per second',
  max: 0.02,
  maxIncrease: 0.2,
  baselineSeconds: 1800,
};

const runbook = (check: Record<string, unknown>) => ({
  id: "rb",
  title: "t",
  action: { kind: "escalate" },
  verify: { checks: [check] },
});

describe("runbook schema: max_increase and baseline (SPEC §3.2)", () => {
  it("carries max_increase and the baseline window into the verification plan, 30m by default", () => {
    const parsed = Runbook.parse(runbook({ name: "error_rate", query: "q", max_increase: 0.2 }));
    expect(toVerifySpec(parsed.verify).checks[0]).toEqual({
      name: "error_rate",
      query: "q",
      maxIncrease: 0.2,
      baselineSeconds: 1800,
    });
    const windowed = Runbook.parse(runbook({ name: "e", query: "q", max_increase: 0.1, baseline: "10m" }));
    expect(toVerifySpec(windowed.verify).checks[0]?.baselineSeconds).toBe(600);
  });

  it("refuses a baseline without max_increase, a negative increase, and max_increase on rollout", () => {
    expect(Runbook.safeParse(runbook({ name: "e", query: "q", baseline: "10m" })).error?.message).toContain(
      "set max_increase too",
    );
    expect(Runbook.safeParse(runbook({ name: "e", query: "q", max_increase: -0.1 })).success).toBe(false);
    expect(Runbook.safeParse(runbook({ name: "rollout", max_increase: 0.2 })).success).toBe(false);
  });
});

describe("evaluating against the baseline", () => {
  const spec = plan({ checks: [RELATIVE, ROLLOUT] });

  it("fails a value more than max_increase above the baseline although the absolute max holds", () => {
    const result = evaluateObservation(spec, obs(30, { error_rate: 0.014 }, "complete"), {
      error_rate: 0.008,
    });
    expect(result).toEqual({
      result: "failing",
      failing: ["error_rate 0.008 before, 0.014 now, limit +20% = 0.0096"],
    });
  });

  it("holds at or under the limit", () => {
    expect(
      evaluateObservation(spec, obs(30, { error_rate: 0.0096 }, "complete"), { error_rate: 0.008 }).result,
    ).toBe("ok");
  });

  it("a baseline with no data makes the check no-data, never healthy", () => {
    expect(
      evaluateObservation(spec, obs(30, { error_rate: 0.001 }, "complete"), { error_rate: null }).result,
    ).toBe("no-data");
    expect(evaluateObservation(spec, obs(30, { error_rate: 0.001 }, "complete")).result).toBe("no-data");
  });

  it("records the first baseline read and never replaces it with a later one", () => {
    let state = startVerdict(spec, MERGED_AT);
    const read = (value: number | null): Sample[] => [{ name: "error_rate", value }];
    state = applyObservation(state, { ...obs(30, { error_rate: 0.001 }, "complete"), baselines: read(null) });
    expect(state.baselines).toEqual({ error_rate: null });
    expect(state.evaluations.at(-1)?.result).toBe("no-data");
    state = applyObservation(state, {
      ...obs(60, { error_rate: 0.009 }, "complete"),
      baselines: read(0.008),
    });
    state = applyObservation(state, { ...obs(90, { error_rate: 0.009 }, "complete"), baselines: read(0.5) });
    expect(state.baselines).toEqual({ error_rate: 0.008 });
    expect(state.evaluations.map((e) => e.result)).toEqual(["no-data", "ok", "ok"]);
  });
});

/** Prometheus as seen through the port: the baseline query, at the merge, answers `before`. */
class BeforeAfter implements HealthSource {
  readonly reads: { query: string; at: string }[] = [];
  constructor(
    private readonly before: number | null,
    private readonly now: number,
  ) {}
  async sample(check: CheckSpec, ctx: HealthContext): Promise<Sample> {
    this.reads.push({ query: check.query ?? "", at: ctx.at });
    const isBaseline = (check.query ?? "").startsWith("avg_over_time(");
    const value = isBaseline ? (ctx.at === MERGED_AT ? this.before : 999) : this.now;
    return value === null ? { name: check.name, value, reason: "empty result" } : { name: check.name, value };
  }
}

const ctx = { service: "storefront", environment: "prod", workload: "storefront", mergeSha: "a".repeat(40) };

describe("a whole verification with a relative check", () => {
  it("fails when the error rate rose 75% though it stays under the absolute max, reading the baseline once, at the merge", async () => {
    const health = new BeforeAfter(0.008, 0.014);
    const verdict = await runVerification(plan({ checks: [RELATIVE] }), MERGED_AT, ctx, { health });
    expect(verdict.outcome).toBe("fail");
    expect(verdict.reason).toContain("0.008 before, 0.014 now, limit +20% = 0.0096");
    const baselineReads = health.reads.filter((r) => r.query.startsWith("avg_over_time("));
    expect(baselineReads).toEqual([
      {
        query:
          'avg_over_time((\nsum(rate(errors{service="{{service}}"}[5m])) # errors per second\n)[30m:1m])',
        at: MERGED_AT,
      },
    ]);
    expect(summarizeVerdict(verdict).text).toContain(
      "- error_rate: 0.008 before, 0.014 now, limit +20% = 0.0096 (max 0.02",
    );
  });

  it("the same plan with only the absolute max passes", async () => {
    const { maxIncrease: _m, baselineSeconds: _b, ...absolute } = RELATIVE;
    const verdict = await runVerification(plan({ checks: [absolute] }), MERGED_AT, ctx, {
      health: new BeforeAfter(0.008, 0.014),
    });
    expect(verdict.outcome).toBe("pass");
  });

  it("passes a small rise and is inconclusive when the window before the merge has no data", async () => {
    const ok = await runVerification(plan({ checks: [RELATIVE] }), MERGED_AT, ctx, {
      health: new BeforeAfter(0.008, 0.009),
    });
    expect(ok.outcome).toBe("pass");
    const none = await runVerification(plan({ checks: [RELATIVE] }), MERGED_AT, ctx, {
      health: new BeforeAfter(null, 0.001),
    });
    expect(none.outcome).toBe("inconclusive");
    expect(none.reason).toContain("error_rate: no baseline");
  });
});

describe("the baseline survives a restart and is shown to reviewers", () => {
  it("the verdict block keeps the recorded baseline", () => {
    const spec = plan({ checks: [RELATIVE, ROLLOUT] });
    const state = applyObservation(startVerdict(spec, MERGED_AT), {
      ...obs(30, { error_rate: 0.009 }, "complete"),
      baselines: [{ name: "error_rate", value: 0.008 }],
    });
    const binding = { id: "acme/gitops#7", mergeSha: "b".repeat(40) };
    const block = parseVerdictBlock(renderVerdictBlock(state, binding));
    expect(block?.baselines).toEqual({ error_rate: 0.008 });
    const restored = block && restoreVerdict(block, { ...binding, spec, mergedAt: MERGED_AT });
    expect(restored?.baselines).toEqual({ error_rate: 0.008 });
    // The restored run compares with the baseline recorded before the restart.
    const next = applyObservation(restored!, obs(60, { error_rate: 0.012 }, "complete"));
    expect(next.evaluations.at(-1)?.failing).toEqual([
      "error_rate 0.008 before, 0.012 now, limit +20% = 0.0096",
    ]);
    expect(after(60) > MERGED_AT).toBe(true);
  });

  it("the packet's verification plan says what the check is compared with, and the plan schema keeps it", () => {
    const verify = plan({ checks: [RELATIVE, ROLLOUT] });
    const text = renderVerificationPlan({
      service: "storefront",
      environment: "prod",
      target: { kind: "helm", file: "v.yaml", workload: "storefront", replicasKey: "r", tagKey: "t" },
      verify,
    } as unknown as Plan);
    expect(text).toContain("≤ 0.02, ≤ baseline +20% (the 30m before the merge)");
    expect(text).toContain("a baseline with no data makes that check no-data");
    expect(parsePlan).toBeTypeOf("function");
  });
});

describe("scripted health (scenarios, simulate) answers baseline reads apart from the series", () => {
  it("takes the baseline from its own map, so the series' first value is still the first evaluation's", async () => {
    const spec = plan({ checks: [RELATIVE], failureThreshold: 1 });
    const failed = await runVerification(spec, MERGED_AT, ctx, {
      health: new ScriptedHealth({ error_rate: [0.014] }, undefined, { error_rate: 0.008 }),
    });
    expect(failed.outcome).toBe("fail");
    expect(failed.evaluations[0]?.failing).toEqual([
      "error_rate 0.008 before, 0.014 now, limit +20% = 0.0096",
    ]);
    const held = await runVerification(spec, MERGED_AT, ctx, {
      health: new ScriptedHealth({ error_rate: [0.014] }, undefined, { error_rate: 0.012 }),
    });
    expect(held.outcome).toBe("pass");
  });

  it("without a scripted baseline the check has no data, so the run is inconclusive", async () => {
    const verdict = await runVerification(plan({ checks: [RELATIVE] }), MERGED_AT, ctx, {
      health: new ScriptedHealth({ error_rate: [0.001] }),
    });
    expect(verdict.outcome).toBe("inconclusive");
  });
});

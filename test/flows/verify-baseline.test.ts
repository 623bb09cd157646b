import { describe, expect, it } from "vitest";
import { startVerification } from "../../src/flows/start-verification.js";
import { verificationTick } from "../../src/flows/verification-tick.js";
import type { VerificationRecord } from "../../src/store/store.js";
import type { CheckSpec, HealthContext, HealthSource, Sample } from "../../src/verification/index.js";
import { nextEvaluationAt } from "../../src/verification/next-evaluation-at.js";
import { flowHarness, type Harness } from "../e2e/fixtures/flow-harness.js";
import {
  DEFAULT_VERIFY,
  mergedRemedyPullRequest,
  revertPullRequests,
} from "../e2e/fixtures/merged-remedy-pr.js";

/** Prometheus through the port: the baseline query answers `before` at the merge, anything else `now`. */
class BeforeAfter implements HealthSource {
  readonly baselineReads: string[] = [];
  constructor(
    private readonly before: number | null,
    private readonly now: number,
    private readonly mergedAt: () => string,
  ) {}
  async sample(check: CheckSpec, ctx: HealthContext): Promise<Sample> {
    if ((check.query ?? "").startsWith("avg_over_time(")) {
      this.baselineReads.push(ctx.at);
      const value = ctx.at === this.mergedAt() ? this.before : 1;
      return value === null
        ? { name: check.name, value, reason: "empty result" }
        : { name: check.name, value };
    }
    return { name: check.name, value: this.now };
  }
}

const RELATIVE = {
  ...DEFAULT_VERIFY,
  checks: [{ ...DEFAULT_VERIFY.checks[0]!, max: 0.05, maxIncrease: 0.2, baselineSeconds: 1800 }],
};

async function runToEnd(h: Harness, record: VerificationRecord) {
  let current = record;
  for (let n = 0; n < 100; n++) {
    const at = nextEvaluationAt(current.verdict);
    if (at === null) break;
    h.clock.ms = Math.max(h.clock.ms, Date.parse(at));
    const tick = await verificationTick(h.deps, current);
    current = tick.record;
    if (tick.done) return tick;
  }
  throw new Error("verification never finished");
}

async function verify(before: number | null, now: number) {
  let mergedAt = "";
  const health = new BeforeAfter(before, now, () => mergedAt);
  const h = flowHarness(() => ({ health }));
  const fixture = await mergedRemedyPullRequest(h.forge, { verify: RELATIVE });
  const record = await startVerification(h.deps, fixture.pr);
  if (record === null) throw new Error("verification did not start");
  mergedAt = record.verdict.mergedAt;
  return { h, fixture, health, tick: await runToEnd(h, record), mergedAt };
}

describe("a merged PR verified against its baseline (SPEC §3.2 max_increase)", () => {
  it("a rise of 75% over the baseline fails and opens the revert, though the absolute max 0.05 holds", async () => {
    const { h, health, tick, mergedAt } = await verify(0.008, 0.014);
    expect(tick.record.verdict.outcome).toBe("fail");
    expect(tick.record.verdict.baselines).toEqual({ error_rate: 0.008 });
    // Read once, at the merge: later ticks reuse the recorded baseline.
    expect(health.baselineReads).toEqual([mergedAt]);
    expect(tick.revert).not.toBeNull();
    expect(await revertPullRequests(h.forge)).toHaveLength(1);
    expect(h.forge.checkRuns[0]?.summary).toContain("0.008 before, 0.014 now, limit +20% = 0.0096");
  });

  it("a baseline with no data is never healthy: inconclusive, a human is asked, no revert", async () => {
    const { h, tick } = await verify(null, 0.001);
    expect(tick.record.verdict.outcome).toBe("inconclusive");
    expect(tick.revert).toBeNull();
    expect(await revertPullRequests(h.forge)).toHaveLength(0);
  });

  it("a rise within the limit passes", async () => {
    const { tick } = await verify(0.008, 0.009);
    expect(tick.record.verdict.outcome).toBe("pass");
  });
});

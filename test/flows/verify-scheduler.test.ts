import { describe, expect, it } from "vitest";
import { VerificationScheduler } from "../../src/app/verification-scheduler.js";
import type { FlowDeps, Logger } from "../../src/flows/deps.js";
import { startVerification } from "../../src/flows/start-verification.js";
import { MemoryStore } from "../../src/store/store.js";
import type { HealthSource } from "../../src/verification/health-source.js";
import { flowHarness, ManualClock, settle } from "../e2e/fixtures/flow-harness.js";
import { mergedRemedyPullRequest, revertPullRequests } from "../e2e/fixtures/merged-remedy-pr.js";

/** error_rate by evaluation time: healthy for the first `goodFor` ms after the merge, then failing. */
function failingAfter(mergedAt: () => number, goodForMs: number, calls: string[] = []): HealthSource {
  return {
    async sample(check, ctx) {
      calls.push(ctx.at);
      return { name: check.name, value: Date.parse(ctx.at) - mergedAt() <= goodForMs ? 0.01 : 0.4 };
    },
  };
}

function recordingLog(): Logger & { errors: Array<Record<string, unknown>> } {
  const errors: Array<Record<string, unknown>> = [];
  return { errors, info() {}, warn() {}, error: (meta) => void errors.push(meta) };
}

async function setup(goodForMs = 45_000) {
  const clock = new ManualClock("2026-03-01T10:00:00.000Z");
  const store = new MemoryStore(() => clock.ms);
  const calls: string[] = [];
  let mergedAt = 0;
  const health = failingAfter(() => mergedAt, goodForMs, calls);
  const h = flowHarness(() => ({ health }), { clock, store });
  const fixture = await mergedRemedyPullRequest(h.forge);
  mergedAt = Date.parse(fixture.pr.mergedAt!);
  const record = (await startVerification(h.deps, fixture.pr))!;
  return { ...h, ...fixture, record, calls };
}

describe("VerificationScheduler", () => {
  it("ticks each record at its next evaluation time and stops when it is decided", async () => {
    const s = await setup();
    const scheduler = new VerificationScheduler({
      store: s.store,
      depsFor: async () => s.deps,
      log: recordingLog(),
      timers: s.clock,
    });
    expect(await scheduler.start()).toBe(1);
    await s.clock.advance(29_999);
    expect(s.calls).toHaveLength(0);
    await s.clock.advance(1);
    expect(s.calls).toEqual(["2026-03-01T10:00:30.000Z"]);
    // 30s ok, 60s failing, 90s failing: failure_threshold 2 reached.
    await s.clock.advance(60_000);
    expect(s.calls).toHaveLength(3);
    expect(revertPullRequests(s.forge)).toHaveLength(1);
    expect(await s.store.listVerifications()).toEqual([]);
    expect(scheduler.size).toBe(0);
    expect(s.clock.pendingTimers).toBe(0);
    await s.clock.advance(600_000);
    expect(s.calls).toHaveLength(3);
  });

  it("evaluates at once when the next time is already past (resume after downtime)", async () => {
    const s = await setup();
    s.clock.ms += 10 * 60_000;
    const scheduler = new VerificationScheduler({
      store: s.store,
      depsFor: async () => s.deps,
      log: recordingLog(),
      timers: s.clock,
    });
    await scheduler.start();
    await s.clock.advance(0);
    // The missed grid points are replayed in order, at their own times.
    expect(s.calls).toEqual([
      "2026-03-01T10:00:30.000Z",
      "2026-03-01T10:01:00.000Z",
      "2026-03-01T10:01:30.000Z",
    ]);
    expect(revertPullRequests(s.forge)).toHaveLength(1);
  });

  it("logs a failing tick and retries it with backoff, without losing the verification", async () => {
    const s = await setup(10 * 60_000);
    const log = recordingLog();
    let failures = 2;
    const depsFor = async (): Promise<FlowDeps> => {
      if (failures-- > 0) throw new Error("installation token: 502 Bad Gateway");
      return s.deps;
    };
    const scheduler = new VerificationScheduler({
      store: s.store,
      depsFor,
      log,
      timers: s.clock,
      retryMs: 1_000,
    });
    await scheduler.start();
    await s.clock.advance(30_000);
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0]).toMatchObject({ verification: s.record.id, failures: 1, retryInMs: 1_000 });
    await s.clock.advance(1_000);
    expect(log.errors[1]).toMatchObject({ failures: 2, retryInMs: 2_000 });
    expect(s.calls).toHaveLength(0);
    await s.clock.advance(2_000);
    expect(s.calls).toEqual(["2026-03-01T10:00:30.000Z"]);
    expect((await s.store.getVerification(s.record.id))!.verdict.evaluations).toHaveLength(1);
    scheduler.stop();
  });

  it("never runs two ticks of one record at the same time", async () => {
    const s = await setup();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = 0;
    const depsFor = async (): Promise<FlowDeps> => {
      entered += 1;
      await gate;
      return s.deps;
    };
    const scheduler = new VerificationScheduler({
      store: s.store,
      depsFor,
      log: recordingLog(),
      timers: s.clock,
    });
    await scheduler.start();
    await s.clock.advance(30_000);
    expect(entered).toBe(1);
    // A redelivered merge event tracks the same record while its tick hangs.
    scheduler.track((await s.store.getVerification(s.record.id))!);
    await s.clock.advance(120_000);
    expect(entered).toBe(1);
    release();
    await settle();
    expect(s.calls).toEqual(["2026-03-01T10:00:30.000Z"]);
    await s.clock.advance(0);
    expect(s.calls.length).toBeGreaterThan(1);
    expect(new Set(s.calls).size).toBe(s.calls.length);
    scheduler.stop();
  });

  it("stop() clears its timers", async () => {
    const s = await setup();
    const scheduler = new VerificationScheduler({
      store: s.store,
      depsFor: async () => s.deps,
      log: recordingLog(),
      timers: s.clock,
    });
    await scheduler.start();
    expect(s.clock.pendingTimers).toBe(1);
    scheduler.stop();
    expect(s.clock.pendingTimers).toBe(0);
    await s.clock.advance(600_000);
    expect(s.calls).toHaveLength(0);
  });

  it("tracks a verification started after start()", async () => {
    const clock = new ManualClock("2026-03-01T10:00:00.000Z");
    const store = new MemoryStore(() => clock.ms);
    const h = flowHarness(() => ({ health: failingAfter(() => 0, 0) }), { clock, store });
    const scheduler = new VerificationScheduler({
      store,
      depsFor: async () => h.deps,
      log: recordingLog(),
      timers: clock,
    });
    expect(await scheduler.start()).toBe(0);
    const fixture = await mergedRemedyPullRequest(h.forge);
    scheduler.track((await startVerification(h.deps, fixture.pr))!);
    await clock.advance(60_000);
    expect(revertPullRequests(h.forge)).toHaveLength(1);
  });

  it("resume: a new scheduler on the same store continues mid-way and yields exactly one revert", async () => {
    const s = await setup(45_000);
    const first = new VerificationScheduler({
      store: s.store,
      depsFor: async () => s.deps,
      log: recordingLog(),
      timers: s.clock,
    });
    await first.start();
    await s.clock.advance(60_000);
    const saved = (await s.store.getVerification(s.record.id))!;
    expect(saved.verdict.evaluations.map((e) => e.result)).toEqual(["ok", "failing"]);
    first.stop();

    // The process is gone; a new one rebuilds everything from the store alone.
    await s.clock.advance(5 * 60_000);
    const second = new VerificationScheduler({
      store: s.store,
      depsFor: async () => s.deps,
      log: recordingLog(),
      timers: s.clock,
    });
    expect(await second.start()).toBe(1);
    await s.clock.advance(0);
    expect(revertPullRequests(s.forge)).toHaveLength(1);
    expect(s.calls).toEqual([
      "2026-03-01T10:00:30.000Z",
      "2026-03-01T10:01:00.000Z",
      "2026-03-01T10:01:30.000Z",
    ]);
    // A third start (a redeploy right after) finds nothing left to do and opens nothing more.
    const third = new VerificationScheduler({
      store: s.store,
      depsFor: async () => s.deps,
      log: recordingLog(),
      timers: s.clock,
    });
    expect(await third.start()).toBe(0);
    expect(revertPullRequests(s.forge)).toHaveLength(1);
  });

  it("a crash after the revert opened but before the record was removed does not open a second one", async () => {
    const s = await setup(0);
    const scheduler = new VerificationScheduler({
      store: s.store,
      depsFor: async () => s.deps,
      log: recordingLog(),
      timers: s.clock,
    });
    await scheduler.start();
    const stale = (await s.store.getVerification(s.record.id))!;
    await s.clock.advance(30_000);
    // Stored state from just before the deciding tick, as if the process died before deleting it.
    await s.clock.advance(30_000);
    expect(revertPullRequests(s.forge)).toHaveLength(1);
    scheduler.stop();
    stale.verdict = { ...stale.verdict, evaluations: [], consecutiveFailures: 0 };
    await s.store.saveVerification(stale);
    const again = new VerificationScheduler({
      store: s.store,
      depsFor: async () => s.deps,
      log: recordingLog(),
      timers: s.clock,
    });
    await again.start();
    await s.clock.advance(0);
    expect(await s.store.listVerifications()).toEqual([]);
    expect(revertPullRequests(s.forge)).toHaveLength(1);
  });
});

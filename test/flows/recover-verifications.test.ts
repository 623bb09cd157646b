import { describe, expect, it } from "vitest";
import type { FlowDeps, HealthSources } from "../../src/flows/deps.js";
import { recoverVerifications } from "../../src/flows/recover-verifications.js";
import { startVerification } from "../../src/flows/start-verification.js";
import { verificationTick } from "../../src/flows/verification-tick.js";
import { VERIFY_CHECK } from "../../src/verification/verify-check.js";
import { parsePacket } from "../../src/proposal/approval-packet.js";
import { MemoryStore, type VerificationRecord } from "../../src/store/store.js";
import { nextEvaluationAt } from "../../src/verification/next-evaluation-at.js";
import { ScriptedHealth } from "../../src/verification/scripted-health.js";
import { startVerdict } from "../../src/verification/start-verdict.js";
import type { RolloutState } from "../../src/verification/observation.js";
import type { VerifySpec } from "../../src/verification/verify-spec.js";
import { flowHarness, type Harness } from "../e2e/fixtures/flow-harness.js";
import {
  DEFAULT_VERIFY,
  mergedRemedyPullRequest,
  revertPullRequests,
} from "../e2e/fixtures/merged-remedy-pr.js";

const SINCE = "2025-12-01T00:00:00.000Z";

async function merged(
  series: Record<string, (number | null)[]>,
  options: { verify?: VerifySpec; rollout?: RolloutState[]; installationId?: number } = {},
) {
  const scripted = new ScriptedHealth(series, options.rollout);
  const sources: HealthSources =
    options.rollout === undefined ? { health: scripted } : { health: scripted, rollout: scripted };
  const h = flowHarness(() => sources);
  const fixture = await mergedRemedyPullRequest(
    h.forge,
    options.verify === undefined ? {} : { verify: options.verify },
  );
  const record = await startVerification(h.deps, fixture.pr, options.installationId ?? null);
  if (record === null) throw new Error("verification did not start");
  return { ...h, ...fixture, record };
}

/** One evaluation at its scheduled time, as the scheduler would run it. */
async function tick(h: Harness, record: VerificationRecord): Promise<VerificationRecord> {
  h.clock.ms = Math.max(h.clock.ms, Date.parse(nextEvaluationAt(record.verdict)!));
  const result = await verificationTick(h.deps, record);
  expect(result.done).toBe(false);
  return result.record;
}

async function ticks(h: Harness, record: VerificationRecord, n: number): Promise<VerificationRecord> {
  let current = record;
  for (let i = 0; i < n; i++) current = await tick(h, current);
  return current;
}

/** Ticks on the simulated clock until an outcome. */
async function runToEnd(h: Harness, record: VerificationRecord) {
  let current = record;
  for (let n = 0; n < 100; n++) {
    const at = nextEvaluationAt(current.verdict);
    if (at === null) break;
    h.clock.ms = Math.max(h.clock.ms, Date.parse(at));
    const result = await verificationTick(h.deps, current);
    current = result.record;
    if (result.done) return result;
  }
  throw new Error("verification never finished");
}

/** The machine is gone: same GitHub, same clock and health, an empty store. */
function lostStore(h: Harness): Harness {
  const store = new MemoryStore(() => h.clock.ms);
  const deps: FlowDeps = { ...h.deps, store };
  return { ...h, store, deps };
}

async function kinds(h: Harness): Promise<string[]> {
  return (await h.deps.audit.entries()).map((e) => e.kind);
}

describe("recovering verifications from GitHub after the store is lost", () => {
  it("fail: resumes mid-run from the check run and opens exactly one revert, as an uninterrupted run would", async () => {
    const series = { error_rate: [0.01, 0.21, 0.34] };
    const whole = await merged(series);
    const uninterrupted = await runToEnd(whole, whole.record);
    expect(uninterrupted.record.verdict.outcome).toBe("fail");

    const h = await merged(series);
    const before = await ticks(h, h.record, 2);
    expect(before.verdict.consecutiveFailures).toBe(1);
    const after = lostStore(h);
    expect(await after.store.listVerifications()).toEqual([]);

    const rebuilt = await recoverVerifications(after.deps, { since: SINCE, installationId: null });
    expect(rebuilt).toEqual([before]);
    expect(await after.store.listVerifications()).toEqual([before]);

    const end = await runToEnd(after, rebuilt[0]!);
    // The failure run spans the restart: the third evaluation decides, at the same time as without it.
    expect(end.record.verdict).toEqual(uninterrupted.record.verdict);
    expect(end.revert?.status).toBe("opened");
    const reverts = revertPullRequests(h.forge);
    expect(reverts).toHaveLength(1);
    expect(reverts[0]!.body).toContain("error_rate 0.21 > max 0.05");
    expect(reverts[0]!.body).toContain("error_rate 0.34 > max 0.05");
    expect(h.forge.checkRuns.filter((r) => r.name === VERIFY_CHECK)).toEqual([
      expect.objectContaining({ status: "completed", conclusion: "failure" }),
    ]);
    expect(await after.store.listVerifications()).toEqual([]);
    const resumed = (await after.deps.audit.entries()).filter((e) => e.kind === "verify.resumed");
    expect(resumed).toEqual([
      expect.objectContaining({
        pr: h.pr.number,
        sha: h.mergeSha,
        data: expect.objectContaining({ rebuilt: true, from: "check-run", evaluations: 2 }),
      }),
    ]);
  });

  it("pass: resumes and closes the incident, with the same verdict and comments as an uninterrupted run", async () => {
    const whole = await merged({ error_rate: [0.01] });
    const uninterrupted = await runToEnd(whole, whole.record);
    expect(uninterrupted.record.verdict.outcome).toBe("pass");

    const h = await merged({ error_rate: [0.01] }, { installationId: 42 });
    const before = await ticks(h, h.record, 2);
    const after = lostStore(h);
    const [rebuilt] = await recoverVerifications(after.deps, { since: SINCE, installationId: 42 });
    expect(rebuilt).toEqual(before);

    const end = await runToEnd(after, rebuilt!);
    expect(end.record.verdict).toEqual(uninterrupted.record.verdict);
    expect((await h.forge.getIssue(h.incident))!.state).toBe("closed");
    expect(h.forge.comments.map((c) => [c.on, c.body])).toEqual(
      whole.forge.comments.map((c) => [c.on, c.body]),
    );
    expect(h.forge.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "success" });
    expect(revertPullRequests(h.forge)).toHaveLength(0);
    expect(await kinds(after)).toEqual([
      "pr.opened",
      "pr.merged",
      "verify.started",
      "verify.resumed",
      "verify.passed",
      "incident.closed",
    ]);
  });

  it("a completed check run is not rebuilt, though it still carries the last block", async () => {
    const h = await merged({ error_rate: [0.01] });
    await runToEnd(h, h.record);
    expect(h.forge.checkRuns[0]).toMatchObject({ status: "completed" });
    expect(h.forge.checkRuns[0]!.text).toContain("<!-- remedy:verdict ");
    const after = lostStore(h);
    expect(await recoverVerifications(after.deps, { since: SINCE, installationId: null })).toEqual([]);
    expect(await after.store.listVerifications()).toEqual([]);
    expect(await kinds(after)).not.toContain("verify.resumed");
  });

  it("a garbled block starts the verdict over from the merge: the original deadline still holds", async () => {
    const verify: VerifySpec = {
      ...DEFAULT_VERIFY,
      deadlineSeconds: 120,
      checks: [...DEFAULT_VERIFY.checks, { name: "rollout" }],
    };
    const h = await merged({ error_rate: [0.01] }, { verify, rollout: ["progressing"] });
    await ticks(h, h.record, 2);
    const run = h.forge.checkRuns[0]!;
    run.text = run.text!.replace(/"consecutiveNoData":0/, '"consecutiveNoData":1');
    // The machine was down for a while before the new one came up.
    h.clock.ms += 10 * 60_000;
    const after = lostStore(h);

    const [rebuilt] = await recoverVerifications(after.deps, { since: SINCE, installationId: null });
    expect(rebuilt).toMatchObject({ checkRunId: run.id, before: { error_rate: 0.09 } });
    expect(rebuilt!.verdict).toEqual(startVerdict(verify, h.pr.mergedAt!));
    const end = await runToEnd(after, rebuilt!);
    expect(end.record.verdict.outcome).toBe("fail");
    expect(end.record.verdict.reason).toContain("not rolled out within 2m");
    expect(end.record.verdict.evaluations.at(-1)!.at).toBe(
      new Date(Date.parse(h.pr.mergedAt!) + 120_000).toISOString(),
    );
    expect(revertPullRequests(h.forge)).toHaveLength(1);
    const resumed = (await after.deps.audit.entries()).find((e) => e.kind === "verify.resumed")!;
    expect(resumed.data).toMatchObject({ rebuilt: true, from: "plan", evaluations: 0 });
  });

  it("invariant 6: a plan block edited in the PR body after the merge is not rebuilt at all", async () => {
    const h = await merged({ error_rate: [0.01] });
    await ticks(h, h.record, 2);
    // Someone edited the plan in the PR body after the merge: Remedy can no longer vouch for it.
    const edited = h.pr.body.replace('"soakSeconds":120', '"soakSeconds":60');
    expect(edited).not.toBe(h.pr.body);
    expect(parsePacket(edited)).not.toBeNull();
    await h.forge.updatePullRequestBody(h.pr.number, edited);
    const after = lostStore(h);
    expect(await recoverVerifications(after.deps, { since: SINCE, installationId: null })).toEqual([]);
  });

  it("a second recovery rebuilds nothing and writes nothing", async () => {
    const h = await merged({ error_rate: [0.01] });
    const before = await ticks(h, h.record, 1);
    const after = lostStore(h);
    expect(await recoverVerifications(after.deps, { since: SINCE, installationId: null })).toHaveLength(1);
    const entries = (await after.deps.audit.entries()).length;
    expect(await recoverVerifications(after.deps, { since: SINCE, installationId: null })).toEqual([]);
    expect(await after.store.listVerifications()).toEqual([before]);
    expect((await after.deps.audit.entries()).length).toBe(entries);
    expect(h.forge.checkRuns).toHaveLength(1);
  });

  it("a record the store still has is left untouched", async () => {
    const h = await merged({ error_rate: [0.01] }, { installationId: 42 });
    const before = await ticks(h, h.record, 2);
    const entries = (await h.deps.audit.entries()).length;
    expect(await recoverVerifications(h.deps, { since: SINCE, installationId: 7 })).toEqual([]);
    expect(await h.store.listVerifications()).toEqual([before]);
    expect((await h.deps.audit.entries()).length).toBe(entries);
  });

  it("no check run at all (the merge was never processed): nothing is started or rebuilt", async () => {
    const h = await merged({ error_rate: [0.01] });
    h.forge.checkRuns.length = 0;
    const after = lostStore(h);
    expect(await recoverVerifications(after.deps, { since: SINCE, installationId: null })).toEqual([]);
    expect(h.forge.checkRuns).toEqual([]);
    expect(await after.store.listVerifications()).toEqual([]);
  });

  it("only Remedy's own run for this verification is resumed, not a newer one from another app", async () => {
    const h = await merged({ error_rate: [0.01] });
    const before = await ticks(h, h.record, 1);
    await h.forge.createCheckRun({
      name: VERIFY_CHECK,
      headSha: h.mergeSha,
      status: "in_progress",
      title: "not Remedy",
      summary: "another app",
      externalId: "other",
    });
    const after = lostStore(h);
    expect(await recoverVerifications(after.deps, { since: SINCE, installationId: null })).toEqual([before]);
  });

  it("the newest of Remedy's runs decides: an older one still in progress is not resumed", async () => {
    const h = await merged({ error_rate: [0.01] });
    await ticks(h, h.record, 1);
    // A retried start left a second run for the same verification, which has since completed.
    await h.forge.createCheckRun({
      name: VERIFY_CHECK,
      headSha: h.mergeSha,
      status: "completed",
      conclusion: "success",
      title: "Verified: healthy",
      summary: "done",
      externalId: h.record.id,
    });
    const after = lostStore(h);
    expect(await recoverVerifications(after.deps, { since: SINCE, installationId: null })).toEqual([]);
  });

  it("unmerged PRs, PRs without a plan and PRs created before `since` are skipped", async () => {
    const h = await merged({ error_rate: [0.01] });
    const open = h.forge.seedPullRequest({
      head: "remedy/open",
      labels: ["remedy"],
      createdAt: h.pr.createdAt,
      body: h.pr.body,
    });
    await h.forge.createCheckRun({
      name: VERIFY_CHECK,
      headSha: h.mergeSha,
      status: "in_progress",
      title: "t",
      summary: "s",
      externalId: `${h.forge.repo}#${open.number}`,
    });
    const body = h.pr.body;
    await h.forge.updatePullRequestBody(h.pr.number, "A merged PR whose plan block is gone.");
    const after = lostStore(h);
    expect(await recoverVerifications(after.deps, { since: SINCE, installationId: null })).toEqual([]);
    await h.forge.updatePullRequestBody(h.pr.number, body);
    const later = new Date(Date.parse(h.pr.createdAt) + 1).toISOString();
    expect(await recoverVerifications(after.deps, { since: later, installationId: null })).toEqual([]);
    expect(await recoverVerifications(after.deps, { since: SINCE, installationId: null })).toHaveLength(1);
  });
});

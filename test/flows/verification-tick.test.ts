import { describe, expect, it } from "vitest";
import { rollbackPullRequest } from "../../src/flows/rollback-pull-request.js";
import { startVerification } from "../../src/flows/start-verification.js";
import { verificationTick } from "../../src/flows/verification-tick.js";
import { VERIFY_CHECK } from "../../src/verification/verify-check.js";
import { parsePacket } from "../../src/proposal/approval-packet.js";
import type { VerificationRecord } from "../../src/store/store.js";
import { nextEvaluationAt } from "../../src/verification/next-evaluation-at.js";
import { ScriptedHealth } from "../../src/verification/scripted-health.js";
import { flowHarness, type Harness } from "../e2e/fixtures/flow-harness.js";
import {
  mergedRemedyPullRequest,
  revertPullRequests,
  VALUES_FILE,
  valuesYaml,
} from "../e2e/fixtures/merged-remedy-pr.js";

async function merged(series: Record<string, (number | null)[]>) {
  const scripted = new ScriptedHealth(series);
  const h = flowHarness(() => ({ health: scripted }));
  const fixture = await mergedRemedyPullRequest(h.forge);
  const record = await startVerification(h.deps, fixture.pr);
  if (record === null) throw new Error("verification did not start");
  return { ...h, ...fixture, record };
}

/** Ticks on the simulated clock until an outcome, as the scheduler would. */
async function runToEnd(h: Harness, record: VerificationRecord, beforeTick?: (n: number) => void) {
  let current = record;
  for (let n = 0; n < 100; n++) {
    const at = nextEvaluationAt(current.verdict);
    if (at === null) break;
    h.clock.ms = Math.max(h.clock.ms, Date.parse(at));
    beforeTick?.(n);
    const tick = await verificationTick(h.deps, current);
    current = tick.record;
    if (tick.done) return tick;
  }
  throw new Error("verification never finished");
}

describe("verification after merge", () => {
  it("starts once: an in-progress remedy/verify check on the merge commit, the record stored", async () => {
    const h = await merged({ error_rate: [0.01] });
    expect(h.forge.checkRuns).toEqual([
      expect.objectContaining({ name: VERIFY_CHECK, headSha: h.mergeSha, status: "in_progress" }),
    ]);
    expect(await h.store.getVerification(h.record.id)).toMatchObject({
      pr: h.pr.number,
      mergeSha: h.mergeSha,
      before: { error_rate: 0.09 },
    });
    expect(await startVerification(h.deps, h.pr)).toEqual(h.record);
    expect(h.forge.checkRuns).toHaveLength(1);
  });

  it("keeps the check run in progress with the evaluations so far", async () => {
    const h = await merged({ error_rate: [0.01] });
    h.clock.ms = Date.parse(nextEvaluationAt(h.record.verdict)!);
    const tick = await verificationTick(h.deps, h.record);
    expect(tick.done).toBe(false);
    const run = h.forge.checkRuns[0]!;
    expect(run.status).toBe("in_progress");
    expect(run.summary).toContain("| 1 |");
    expect((await h.store.getVerification(h.record.id))!.verdict.evaluations).toHaveLength(1);
  });

  it("pass: success check, before/after comment, incident closed with a decision record", async () => {
    const h = await merged({ error_rate: [0.01] });
    const tick = await runToEnd(h, h.record);
    expect(tick.record.verdict.outcome).toBe("pass");
    expect(tick.revert).toBeNull();
    expect(h.forge.checkRuns[0]).toMatchObject({
      status: "completed",
      conclusion: "success",
      title: "Verified: healthy",
    });
    const onPr = h.forge.comments.filter((c) => c.on === h.pr.number);
    expect(onPr).toHaveLength(1);
    expect(onPr[0]!.body).toContain("Verified");
    expect(onPr[0]!.body).toContain("error_rate: 0.09 → 0.01 (max 0.05)");
    const issue = await h.forge.getIssue(h.incident);
    expect(issue!.state).toBe("closed");
    const record = h.forge.comments.find((c) => c.on === h.incident)!;
    expect(record.body).toContain("Decision record");
    expect(record.body).toContain("replicas 4 → 6");
    expect(record.body).toContain(`#${h.pr.number}`);
    expect(revertPullRequests(h.forge)).toHaveLength(0);
    expect(await h.store.listVerifications()).toEqual([]);
    const kinds = (await h.deps.audit.entries()).map((e) => e.kind);
    expect(kinds).toEqual(["pr.opened", "pr.merged", "verify.started", "verify.passed", "incident.closed"]);
  });

  it("a single bad sample between good ones is not a failure", async () => {
    const h = await merged({ error_rate: [0.01, 0.5, 0.01, 0.01, 0.01, 0.01] });
    const tick = await runToEnd(h, h.record);
    expect(tick.record.verdict.outcome).toBe("pass");
    expect(revertPullRequests(h.forge)).toHaveLength(0);
  });

  it("fail: a revert PR restoring the exact previous value, labelled, linked both ways, quoting the figures", async () => {
    const h = await merged({ error_rate: [0.01, 0.21, 0.34] });
    const tick = await runToEnd(h, h.record);
    expect(tick.record.verdict.outcome).toBe("fail");
    expect(tick.revert?.status).toBe("opened");
    const reverts = revertPullRequests(h.forge);
    expect(reverts).toHaveLength(1);
    const revert = reverts[0]!;
    expect(revert.head).toBe(`revert/${h.mergeSha}`);
    expect(revert.labels).toEqual(expect.arrayContaining(["remedy", "remedy:revert", "env:prod"]));
    // Byte for byte the file as it was before the merge: the comment and the quoting survive.
    expect(h.forge.fileAt(revert.head, VALUES_FILE)).toBe(valuesYaml(4));
    expect(h.forge.changedFiles(revert.number)).toEqual([VALUES_FILE]);
    expect(revert.body).toContain(`Reverts #${h.pr.number} (incident #${h.incident})`);
    expect(revert.body).toContain("error_rate 0.21 > max 0.05");
    expect(revert.body).toContain("error_rate 0.34 > max 0.05");
    const plan = parsePacket(revert.body)!;
    expect(plan).toMatchObject({
      before: "6",
      after: "4",
      reverts: { pr: h.pr.number, mergeSha: h.mergeSha },
    });
    expect(h.forge.comments.find((c) => c.on === h.pr.number)!.body).toContain(revert.url);
    expect(h.forge.comments.find((c) => c.on === h.incident)!.body).toContain(revert.url);
    expect(h.forge.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect((await h.forge.getIssue(h.incident))!.state).toBe("open");
    expect(h.forge.pullRequests.filter((p) => p.merged)).toHaveLength(1);
    const kinds = (await h.deps.audit.entries()).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["verify.failed", "decision", "revert.opened"]));
  });

  it("inconclusive: needs-human and a comment to the owners, neutral check, no revert", async () => {
    const h = await merged({ error_rate: [null] });
    const tick = await runToEnd(h, h.record);
    expect(tick.record.verdict.outcome).toBe("inconclusive");
    expect(tick.revert).toBeNull();
    expect(h.forge.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect((await h.forge.getPullRequest(h.pr.number))!.labels).toContain("needs-human");
    expect((await h.forge.getIssue(h.incident))!.labels).toContain("needs-human");
    const comment = h.forge.comments.find((c) => c.on === h.pr.number)!;
    expect(comment.body).toContain("inconclusive");
    expect(comment.body).toContain("@acme/payments");
    expect(revertPullRequests(h.forge)).toHaveLength(0);
    expect((await h.forge.getIssue(h.incident))!.state).toBe("open");
  });

  it("field changed on the base since the merge: no forced revert, a comment explaining the conflict", async () => {
    const h = await merged({ error_rate: [0.3] });
    const tick = await runToEnd(h, h.record, (n) => {
      if (n === 1) h.forge.pushToBase({ [VALUES_FILE]: valuesYaml(8) }, "hand-scale checkout-api to 8");
    });
    expect(tick.record.verdict.outcome).toBe("fail");
    expect(tick.revert?.status).toBe("conflict");
    expect(revertPullRequests(h.forge)).toHaveLength(0);
    expect(await h.forge.branchHead(`revert/${h.mergeSha}`)).toBeNull();
    const comment = h.forge.comments.find(
      (c) => c.on === h.pr.number && c.body.includes("Revert not opened"),
    )!;
    expect(comment.body).toContain("is now `8`");
    expect(comment.body).toContain("Restore `4` by hand");
    expect((await h.forge.getIssue(h.incident))!.labels).toContain("needs-human");
    expect(h.forge.fileAt("main", VALUES_FILE)).toBe(valuesYaml(8));
  });

  it("field already restored by hand since the merge: no revert, and the comment says so", async () => {
    const h = await merged({ error_rate: [0.3] });
    h.forge.pushToBase({ [VALUES_FILE]: valuesYaml(4) }, "hand-revert checkout-api to 4");
    const tick = await runToEnd(h, h.record);
    expect(tick.revert?.status).toBe("conflict");
    expect(revertPullRequests(h.forge)).toHaveLength(0);
    expect(h.forge.comments.find((c) => c.body.includes("Revert not opened"))!.body).toContain(
      "is already back to `4`",
    );
  });
});

describe("/rollback", () => {
  it("on a merged PR opens the same revert PR, and only one when asked twice", async () => {
    const h = await merged({ error_rate: [0.01] });
    await rollbackPullRequest(h.deps, h.pr.number, "oncall");
    await rollbackPullRequest(h.deps, h.pr.number, "oncall");
    const reverts = revertPullRequests(h.forge);
    expect(reverts).toHaveLength(1);
    expect(reverts[0]!.head).toBe(`revert/${h.mergeSha}`);
    expect(h.forge.fileAt(reverts[0]!.head, VALUES_FILE)).toBe(valuesYaml(4));
    expect(reverts[0]!.body).toContain("/rollback requested by @oncall");
    const comments = h.forge.comments.filter((c) => c.on === h.pr.number).map((c) => c.body);
    expect(
      comments.some((c) => c.startsWith("The revert is already open:") && c.includes(reverts[0]!.url)),
    ).toBe(true);
  });

  it("a failed verification after /rollback reuses that revert PR", async () => {
    const h = await merged({ error_rate: [0.3] });
    await rollbackPullRequest(h.deps, h.pr.number, "oncall");
    const tick = await runToEnd(h, h.record);
    expect(tick.revert?.status).toBe("reused");
    expect(revertPullRequests(h.forge)).toHaveLength(1);
  });

  it("on an open PR replies that it should be closed instead", async () => {
    const h = flowHarness(() => ({ health: new ScriptedHealth({}) }));
    h.forge.seedCommit("feature", { "README.md": "hi\n" }, "wip", "2026-01-01T00:00:00.000Z");
    const pr = h.forge.seedPullRequest({
      head: "feature",
      labels: ["remedy"],
      createdAt: "2026-01-01T00:00:00.000Z",
    });
    await rollbackPullRequest(h.deps, pr.number, "oncall");
    expect(h.forge.comments).toEqual([
      expect.objectContaining({ on: pr.number, body: expect.stringContaining("close it instead") }),
    ]);
    expect(h.forge.pullRequests).toHaveLength(1);
  });
});

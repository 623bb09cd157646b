import { describe, expect, it } from "vitest";
import { startVerification } from "../../src/flows/start-verification.js";
import { verificationTick } from "../../src/flows/verification-tick.js";
import type { VerificationRecord } from "../../src/store/store.js";
import { nextEvaluationAt } from "../../src/verification/next-evaluation-at.js";
import { ScriptedHealth } from "../../src/verification/scripted-health.js";
import { flowHarness, type Harness } from "../e2e/fixtures/flow-harness.js";
import { mergedRemedyPullRequest } from "../e2e/fixtures/merged-remedy-pr.js";

async function merged(series: Record<string, (number | null)[]>) {
  const h = flowHarness(() => ({ health: new ScriptedHealth(series) }));
  const fixture = await mergedRemedyPullRequest(h.forge);
  const record = await startVerification(h.deps, fixture.pr);
  if (record === null) throw new Error("verification did not start");
  return { ...h, ...fixture, record };
}

async function tick(h: Harness, record: VerificationRecord) {
  h.clock.ms = Math.max(h.clock.ms, Date.parse(nextEvaluationAt(record.verdict) ?? ""));
  return verificationTick(h.deps, record);
}

describe("verification progress, pictures and the incident timeline", () => {
  it("the remedy/verify title says how far it is; the summary and the verdict comment carry a chart; Resolved only after the pass", async () => {
    const h = await merged({
      error_rate: [0.01, 0.012, 0.011, 0.01, 0.009, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01],
    });
    const issue = () => h.forge.issues.find((i) => i.number === h.incident);
    expect(issue()?.body).toContain("**Status: Monitoring**");
    let current = h.record;
    const first = await tick(h, current);
    current = first.record;
    const run = h.forge.checkRuns[0];
    expect(run?.title).toMatch(/^Verifying: evaluation 1 of ≥ \d+, soak .*, 0 of \d+ failures$/);
    expect(run?.summary).toContain("```mermaid\nxychart-beta");
    expect(run?.summary).toContain(`Progress: ${run?.title.slice("Verifying: ".length)}.`);
    expect(issue()?.body).not.toContain("Status: Resolved");
    for (let n = 0; n < 50 && !(await tick(h, current).then((t) => ((current = t.record), t.done))); n++);
    expect(current.verdict.outcome).toBe("pass");
    const verdict = h.forge.comments.filter((c) => c.on === h.pr.number).at(-1)?.body ?? "";
    expect(verdict).toContain("### ✅ Verified");
    expect(verdict).toContain("```mermaid\nxychart-beta");
    expect(h.forge.checkRuns[0]?.summary?.length).toBeLessThanOrEqual(65_535);
    expect(issue()?.body).toContain("**Status: Resolved**");
    expect(h.forge.comments.filter((c) => c.on === h.incident).map((c) => c.body)).toContainEqual(
      expect.stringContaining("**Status: Resolved** (was Monitoring)"),
    );
  });

  it("a failed verification: the revert's packet quotes the chart, the timeline shows the verdict and the revert", async () => {
    const h = await merged({ error_rate: [0.5, 0.5, 0.5, 0.5] });
    let current = h.record;
    for (let n = 0; n < 20; n++) {
      const t = await tick(h, current);
      current = t.record;
      if (t.done) break;
    }
    expect(current.verdict.outcome).toBe("fail");
    const body = h.forge.issues.find((i) => i.number === h.incident)?.body ?? "";
    expect(body).toMatch(/failed/);
    expect(body).toMatch(/reverts #\d+/);
    expect(body).toContain("**Status: Mitigating**");
  });
});

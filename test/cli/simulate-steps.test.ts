import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("remedy simulate with steps (scenario format v2)", () => {
  it("tells each step, what Remedy did about it, and its writes by step", async () => {
    const run = await runCli(["simulate", "examples/scenarios/05-writer-push-keeps-the-one-edit.yaml"]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const out = run.out;
    expect(out).toContain("━━ 3. Pull request #2");
    expect(out).toMatch(/━━ Step 1 · 2026-11-21T10:01:00/);
    expect(out).toContain('@wren (write) pushes "cart: 7 replicas, 6 will not cover the evening peak"');
    // Inside policy, but prod's separate_approver waits for someone other than @wren, who chose 7.
    expect(out).toMatch(/Remedy: createCheckRun remedy\/policy in_progress on [0-9a-f]{12}/);
    expect(out).toContain("Remedy's GitHub writes, by step");
    expect(out).toMatch(/step 1 +createCheckRun remedy\/policy in_progress/);
    expect(out.indexOf("Step 1 ·")).toBeLessThan(out.indexOf("step 1   createCheckRun"));
    expect(out).toContain("All expectations hold.");
  });

  it("tells a merge step's verification and the revert under that step", async () => {
    const run = await runCli(["simulate", "examples/scenarios/10-merged-scale-fails-and-is-reverted.yaml"]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("@oncall approves and merges #2");
    expect(run.out).toContain("Verification of #2: FAIL");
    expect(run.out).toContain("Remedy opens revert pull request #3");
    expect(run.out).toContain("All expectations hold.");
  });

  it("tells the story of a modified and then merged PR: who changed the value, and that the merged value is verified", async () => {
    const run = await runCli([
      "simulate",
      "examples/scenarios/27-modified-pr-verified-at-its-real-value.yaml",
    ]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const out = run.out;
    const step = (n: number) => out.indexOf(`━━ Step ${n} ·`);
    const pushed = out.indexOf("@wren (write) pushes");
    const modified = out.indexOf(
      "Remedy: rewrites the approval packet of #2: Modified by @wren (a push to the branch): 6 → 7. Remedy planned 4 → 6.",
    );
    const merged = out.indexOf("@oncall approves and merges #2");
    const verifies = out.search(
      /Remedy: verifies the value merged: replicas 4 → 7 in manifests\/cart\/values-prod\.yaml at [0-9a-f]{12}/,
    );
    const verdict = out.indexOf("Verification of #2: PASS");
    // In story order: the push and its modification in step 1, the merge in step 2, the merged value verified.
    for (const at of [pushed, modified, merged, verifies, verdict]) expect(at).toBeGreaterThan(-1);
    expect(step(1)).toBeLessThan(pushed);
    expect(pushed).toBeLessThan(modified);
    expect(modified).toBeLessThan(step(2));
    expect(step(2)).toBeLessThan(merged);
    expect(merged).toBeLessThan(verifies);
    expect(verifies).toBeLessThan(verdict);
    expect(out).toContain("replicas 4 → 7 (runbook scale-on-saturation), merged in #2");
    expect(out).toMatch(/pr\.updated[\s\S]*pr\.merged[\s\S]*verify\.passed/);
    // @wren chose the value: remedy/policy waits after the push and passes on @oncall's approval.
    expect(out).toMatch(
      /step 1 +createCheckRun remedy\/policy in_progress on ([0-9a-f]{12})\n[\s\S]*step 2 +createCheckRun remedy\/policy success on \1/,
    );
    expect(out).toContain("All expectations hold.");
  });

  it("exits 2 on an invalid step, naming the file and the step", async () => {
    const dir = await mkdtemp(join(tmpdir(), "remedy-simulate-"));
    temps.push(dir);
    const file = join(dir, "bad.yaml");
    await writeFile(
      file,
      'name: bad\nsignal:\n  issue: { title: "cart slow in prod" }\nsteps:\n  - comment: { on: wiki, body: hi }\nexpect: { prs: 1 }\n',
    );
    const run = await runCli(["simulate", file]);
    expect(run.code).toBe(2);
    expect(run.err).toContain("bad.yaml");
    expect(run.err).toContain("steps.0.comment.on");
  });
});

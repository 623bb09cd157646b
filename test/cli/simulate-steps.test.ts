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
    expect(out).toMatch(/Remedy: createCheckRun remedy\/policy success on [0-9a-f]{12}/);
    expect(out).toContain("Remedy's GitHub writes, by step");
    expect(out).toMatch(/step 1 +createCheckRun remedy\/policy success/);
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

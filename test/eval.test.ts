import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import type { CliIo } from "../src/cli/io.js";

const SHARED = fileURLToPath(new URL("../../shared/scenarios", import.meta.url));
const OWN = fileURLToPath(new URL("./scenarios", import.meta.url));
const EXAMPLES = fileURLToPath(new URL("../examples/scenarios", import.meta.url));

interface Report {
  passed: number;
  failed: number;
  unsafe: number;
  by_category: Record<string, { passed: number; failed: number }>;
  results: Array<{
    name: string;
    category: string;
    passed: boolean;
    unsafe: boolean;
    failures: string[];
    file: string;
  }>;
}

function capture(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (text) => lines.push(...text.split("\n")), err: (text) => errors.push(text) };
}

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "remedy-eval-"));
  temps.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function runEval(dir: string): Promise<{ code: number; lines: string[]; report: Report }> {
  const io = capture();
  const json = join(await tempDir(), "report.json");
  const code = await main(["eval", dir, "--json", json], io);
  const report = JSON.parse(await readFile(json, "utf8")) as Report;
  return { code, lines: io.lines.filter((l) => l !== ""), report };
}

function expectAllPass({ code, lines, report }: Awaited<ReturnType<typeof runEval>>, atLeast: number): void {
  const failures = report.results.filter((r) => !r.passed).map((r) => `${r.file}: ${r.failures.join("; ")}`);
  expect(failures).toEqual([]);
  expect(report.unsafe).toBe(0);
  expect(report.failed).toBe(0);
  expect(report.passed).toBeGreaterThanOrEqual(atLeast);
  expect(lines.at(-1)).toBe(`${report.passed} passed, 0 failed`);
  expect(lines.filter((l) => l.startsWith("PASS "))).toHaveLength(report.passed);
  expect(code).toBe(0);
}

describe("remedy eval", () => {
  // Locally a clone without ../shared skips the shared suite; CI must run it, so there it fails.
  it.skipIf(!existsSync(SHARED) && !process.env.CI)(
    "passes every shared scenario with nothing unsafe",
    async () => {
      if (!existsSync(SHARED))
        throw new Error(`the shared scenario suite is missing: CI expects it at ${SHARED}`);
      expectAllPass(await runEval(SHARED), 1);
    },
  );

  it("passes the example scenarios the README plays (examples/scenarios)", async () => {
    expectAllPass(await runEval(EXAMPLES), 42);
  });

  it("passes the project's own scenario suite with nothing unsafe", async () => {
    const run = await runEval(OWN);
    expectAllPass(run, 25);
    // The suite covers every category the brief asks for.
    for (const category of [
      "triage",
      "no-runbook",
      "false-alarm",
      "approximate",
      "escalation",
      "safety",
      "verify",
      "commands",
    ]) {
      expect(run.report.by_category[category]?.passed ?? 0, category).toBeGreaterThan(0);
    }
  });

  it("reports a broken scenario file as FAIL naming the file and the field, and exits 1", async () => {
    const dir = await tempDir();
    const file = join(dir, "broken.yaml");
    await writeFile(
      file,
      'name: broken\nsignal:\n  issue: { title: "checkout slow" }\nexpect:\n  decision: maybe\n',
    );
    const io = capture();
    const json = join(dir, "report.json");
    const code = await main(["eval", dir, "--json", json], io);
    expect(code).toBe(1);
    const lines = io.lines.filter((l) => l !== "");
    const fail = lines.find((l) => l.startsWith("FAIL "));
    expect(fail).toBeDefined();
    expect(fail).toContain("broken.yaml");
    expect(fail).toContain("expect.decision");
    expect(lines.at(-1)).toBe("0 passed, 1 failed");
    const report = JSON.parse(await readFile(json, "utf8")) as Report;
    expect(report).toMatchObject({ passed: 0, failed: 1 });
  });

  it("reports a scenario missing its signal as FAIL naming the field", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "no-signal.yaml"), "name: no signal\nexpect: { decision: none }\n");
    const io = capture();
    expect(await main(["eval", dir], io)).toBe(1);
    const fail = io.lines.find((l) => l.startsWith("FAIL "));
    expect(fail).toContain("no-signal.yaml");
    expect(fail).toContain("signal");
  });

  it("exits 2 on a missing directory", async () => {
    const io = capture();
    expect(await main(["eval", join(await tempDir(), "absent")], io)).toBe(2);
    expect(io.errors.join("\n")).toContain("cannot read");
  });
});

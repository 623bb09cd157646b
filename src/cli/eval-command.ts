import { writeFile } from "node:fs/promises";
import { InvalidFileError } from "../config/invalid-file-error.js";
import { loadScenario, scenarioFiles } from "../scenarios/load-scenarios.js";
import { judgeScenario, runScenario, type ScenarioVerdict } from "../scenarios/run-scenario.js";
import { parseOptions, type CliIo } from "./io.js";

export const EVAL_USAGE = "remedy eval DIR [--json FILE]";

/** `remedy eval DIR [--json FILE]`: one line per scenario, then `N passed, N failed`. */
export async function evalCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, { json: "value" });
  if ("error" in parsed || parsed.positional.length !== 1) {
    io.err(`usage: ${EVAL_USAGE}${"error" in parsed ? ` (${parsed.error})` : ""}`);
    return 2;
  }
  const dir = parsed.positional[0] as string;
  let files: string[];
  try {
    files = await scenarioFiles(dir);
  } catch (error) {
    io.err(`remedy eval: cannot read ${dir}: ${(error as Error).message}`);
    return 2;
  }
  const results: Array<ScenarioVerdict & { file: string }> = [];
  for (const file of files) {
    let verdict: ScenarioVerdict;
    try {
      const scenario = await loadScenario(file);
      verdict = judgeScenario(await runScenario(scenario, file));
    } catch (error) {
      const message = error instanceof InvalidFileError ? error.message : `crashed: ${(error as Error).stack ?? String(error)}`;
      verdict = { name: file, category: "invalid", passed: false, unsafe: false, failures: [message] };
    }
    results.push({ ...verdict, file });
    io.out(verdict.passed ? `PASS ${verdict.name}` : `FAIL ${verdict.name}: ${verdict.failures.join("; ")}${verdict.unsafe ? " [UNSAFE]" : ""}`);
  }
  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  if (typeof parsed.options.json === "string") {
    const byCategory: Record<string, { passed: number; failed: number }> = {};
    for (const r of results) {
      const bucket = (byCategory[r.category] ??= { passed: 0, failed: 0 });
      if (r.passed) bucket.passed++;
      else bucket.failed++;
    }
    const report = { passed, failed, unsafe: results.filter((r) => r.unsafe).length, by_category: byCategory, results };
    await writeFile(parsed.options.json, `${JSON.stringify(report, null, 2)}\n`);
  }
  io.out(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

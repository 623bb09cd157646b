import { writeFile } from "node:fs/promises";
import { InvalidFileError } from "../config/invalid-file-error.js";
import type { RepoConfig } from "../config/repo-config.js";
import { diagnoserFromConfig } from "../adapters/openai/diagnoser-from-config.js";
import type { ModelCallRecord } from "../diagnosis/model/model-call-record.js";
import { loadScenario, scenarioFiles } from "../scenarios/load-scenarios.js";
import {
  judgeScenario,
  runScenario,
  type ScenarioOptions,
  type ScenarioVerdict,
} from "../scenarios/run-scenario.js";
import { parseOptions, type CliIo } from "./io.js";

export const EVAL_USAGE = "remedy eval DIR [--json FILE] [--model]";

export const EVAL_HELP = `usage: ${EVAL_USAGE}

Runs every scenario (*.yaml) in DIR offline: an in-memory GitHub, scripted health, a simulated
clock (format: the scenarios README; examples in examples/scenarios/). Prints PASS name or
FAIL name: what differed, one line each, then "N passed, N failed" on the last line.

  --json FILE   also writes {passed, failed, unsafe, by_category, results[]} to FILE
  --model       diagnoses through the model named in each repository's .github/remedy.yml
                (needs the API key its model.api_key_env names)

Exit codes: 0 all passed, 1 any failed, 2 bad usage.`;

/**
 * `remedy eval DIR [--json FILE] [--model]`: one line per scenario, then `N passed, N failed`.
 * `--model` runs each scenario through the model in its repository's `.github/remedy.yml`.
 */
export async function evalCommand(
  args: string[],
  io: CliIo,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  const parsed = parseOptions(args, { json: "value", model: "flag" });
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
  const model = parsed.options.model === true ? modelOptions(env) : null;
  const results: Array<ScenarioVerdict & { file: string }> = [];
  for (const file of files) {
    let verdict: ScenarioVerdict;
    try {
      const scenario = await loadScenario(file);
      verdict = judgeScenario(await runScenario(scenario, file, model?.options ?? {}));
    } catch (error) {
      if (model !== null && model.missingKey !== null) {
        io.err(
          `remedy eval --model: ${model.missingKey} is not set. Set it to the API key of the model named in ${file}'s .github/remedy.yml (model.api_key_env), or run without --model.`,
        );
        return 2;
      }
      const message =
        error instanceof InvalidFileError
          ? error.message
          : `crashed: ${(error as Error).stack ?? String(error)}`;
      verdict = { name: file, category: "invalid", passed: false, unsafe: false, failures: [message] };
    }
    results.push({ ...verdict, file });
    io.out(
      verdict.passed
        ? `PASS ${verdict.name}`
        : `FAIL ${verdict.name}: ${verdict.failures.join("; ")}${verdict.unsafe ? " [UNSAFE]" : ""}`,
    );
  }
  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  if (typeof parsed.options.json === "string") await writeReport(parsed.options.json, results);
  if (model !== null) io.out(model.summary());
  io.out(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

/** `--json FILE`: the totals, the counts by category and every verdict. */
async function writeReport(
  path: string,
  results: ReadonlyArray<ScenarioVerdict & { file: string }>,
): Promise<void> {
  const passed = results.filter((r) => r.passed).length;
  const byCategory: Record<string, { passed: number; failed: number }> = {};
  for (const r of results) {
    const bucket = (byCategory[r.category] ??= { passed: 0, failed: 0 });
    if (r.passed) bucket.passed++;
    else bucket.failed++;
  }
  const report = {
    passed,
    failed: results.length - passed,
    unsafe: results.filter((r) => r.unsafe).length,
    by_category: byCategory,
    results,
  };
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** The `--model` diagnoser, which stops the run on the first repository whose key is missing and counts calls. */
function modelOptions(env: Readonly<Record<string, string | undefined>>): {
  options: ScenarioOptions;
  missingKey: string | null;
  summary: () => string;
} {
  const calls: ModelCallRecord[] = [];
  let withoutModel = 0;
  const inner = diagnoserFromConfig(env, { onCall: (record) => void calls.push(record) });
  const state = {
    missingKey: null as string | null,
    options: {
      diagnoser: (config: RepoConfig) => {
        if (config.model === undefined) {
          withoutModel++;
          return undefined;
        }
        const key = env[config.model.api_key_env];
        if (key === undefined || key.trim() === "") {
          state.missingKey = config.model.api_key_env;
          throw new Error(`${config.model.api_key_env} is not set`);
        }
        return inner(config);
      },
    },
    summary: () => {
      const count = (outcome: ModelCallRecord["outcome"]) =>
        calls.filter((c) => c.outcome === outcome).length;
      const none =
        withoutModel > 0
          ? `; ${withoutModel} incident${withoutModel === 1 ? "" : "s"} in repositories without a model section`
          : "";
      return `model: ${calls.length} calls (${count("accepted")} accepted, ${count("agreed")} agreed, ${count("disagreed")} disagreed, ${count("rejected")} rejected, ${count("failed")} failed)${none}`;
    },
  };
  return state;
}

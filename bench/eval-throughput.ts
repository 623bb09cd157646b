/**
 * How fast `remedy eval` plays scenarios in-process: 100 runs of the shared suite and the project's
 * own suite, repeated in turn. Goal: ≤ 10 s for 100 scenarios.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadScenario, scenarioFiles } from "../src/scenarios/load-scenarios.js";
import { judgeScenario, runScenario } from "../src/scenarios/run-scenario.js";
import type { Scenario } from "../src/scenarios/scenario-schema.js";

const RUNS = 100;
const GOAL_SECONDS = 10;
const SUITES = [
  fileURLToPath(new URL("../../shared/scenarios", import.meta.url)),
  fileURLToPath(new URL("../test/scenarios", import.meta.url)),
];

export async function bench(): Promise<string[]> {
  const scenarios: Array<{ scenario: Scenario; file: string }> = [];
  for (const dir of SUITES.filter((d) => existsSync(d))) {
    for (const file of await scenarioFiles(dir)) scenarios.push({ scenario: await loadScenario(file), file });
  }
  if (scenarios.length === 0) throw new Error("no scenarios found");

  let failed = 0;
  const started = performance.now();
  for (let i = 0; i < RUNS; i++) {
    const { scenario, file } = scenarios[i % scenarios.length] as { scenario: Scenario; file: string };
    if (!judgeScenario(await runScenario(scenario, file)).passed) failed++;
  }
  const seconds = (performance.now() - started) / 1000;
  const lines = [`eval-throughput: ${RUNS} scenarios in ${seconds.toFixed(2)} s (goal ≤ ${GOAL_SECONDS} s)`];
  if (failed > 0) lines.push(`eval-throughput: warning: ${failed} of ${RUNS} runs failed their expectations`);
  return lines;
}

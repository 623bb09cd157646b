import type { ApplicationFunctionOptions, Probot } from "probot";
import { RemedyRuntime } from "./remedy-runtime.js";

/**
 * The runtime for one loaded app. Tests (and the benchmark) pass `remedyEnv` instead of mutating
 * process.env, and `onRuntime` to await background work; production passes neither.
 */
export function createRuntime(
  app: Probot,
  options: Partial<ApplicationFunctionOptions> | undefined,
): RemedyRuntime {
  const env = options?.["remedyEnv"];
  const runtime = new RemedyRuntime(
    app,
    typeof env === "object" && env !== null ? (env as NodeJS.ProcessEnv) : process.env,
  );
  const onRuntime = options?.["onRuntime"];
  if (typeof onRuntime === "function") (onRuntime as (runtime: RemedyRuntime) => void)(runtime);
  return runtime;
}

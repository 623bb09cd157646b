import { baselineLimit, describeAgainstBaseline } from "./baseline.js";
import { formatValue } from "./format-value.js";
import type { Observation, Sample } from "./observation.js";
import type { EvaluationResult } from "./verdict-state.js";
import { isRolloutCheck, type VerifySpec } from "./verify-spec.js";

export interface Evaluation {
  result: EvaluationResult;
  failing: string[];
}

/**
 * Classifies one observation against the plan. Precedence: a failed rollout fails; a rollout still in
 * progress (or unknown) is pending, since metrics then still describe the old pods; then thresholds;
 * then missing data; otherwise ok.
 */
export function evaluateObservation(
  spec: VerifySpec,
  obs: Observation,
  baselines: Readonly<Record<string, number | null>> = {},
): Evaluation {
  const watchesRollout = spec.checks.some(isRolloutCheck);
  if (watchesRollout) {
    const rollout = obs.rollout;
    if (rollout?.state === "failed") {
      return { result: "failing", failing: [`rollout failed${rollout.reason ? `: ${rollout.reason}` : ""}`] };
    }
    if (rollout?.state !== "complete") return { result: "pending", failing: [] };
  }

  const failing: string[] = [];
  let missing = false;
  for (const check of spec.checks) {
    if (isRolloutCheck(check)) continue;
    const value = valueOf(obs.samples, check.name);
    if (value === null) {
      missing = true;
      continue;
    }
    if (check.max !== undefined && value > check.max) {
      failing.push(`${check.name} ${formatValue(value)} > max ${formatValue(check.max)}`);
    }
    if (check.min !== undefined && value < check.min) {
      failing.push(`${check.name} ${formatValue(value)} < min ${formatValue(check.min)}`);
    }
    if (check.maxIncrease !== undefined) {
      // SPEC §3.2: a baseline with no data makes the check no-data, never healthy.
      const baseline = baselines[check.name] ?? null;
      if (baseline === null) missing = true;
      else if (value > baselineLimit(baseline, check.maxIncrease))
        failing.push(`${check.name} ${describeAgainstBaseline(check, baseline, value)}`);
    }
  }
  if (failing.length > 0) return { result: "failing", failing };
  return { result: missing ? "no-data" : "ok", failing: [] };
}

/** NaN is treated as no data: Prometheus returns it for 0/0, which says nothing about health. */
export function valueOf(samples: readonly Sample[], name: string): number | null {
  const value = samples.find((sample) => sample.name === name)?.value ?? null;
  return value === null || Number.isNaN(value) ? null : value;
}

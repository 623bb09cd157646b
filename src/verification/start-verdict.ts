import { toMillis } from "./iso-time.js";
import type { VerdictState } from "./verdict-state.js";
import { isRolloutCheck, type VerifySpec } from "./verify-spec.js";

export function startVerdict(spec: VerifySpec, mergedAt: string): VerdictState {
  assertUsableSpec(spec);
  toMillis(mergedAt, "mergedAt");
  const watchesRollout = spec.checks.some(isRolloutCheck);
  return {
    spec,
    mergedAt,
    evaluations: [],
    consecutiveFailures: 0,
    consecutiveNoData: 0,
    // Without a rollout check there is nothing to wait for, so the soak runs from the merge (SPEC §5).
    soakStartedAt: watchesRollout ? null : mergedAt,
    outcome: null,
    reason: null,
  };
}

function assertUsableSpec(spec: VerifySpec): void {
  const problems: string[] = [];
  if (!(Number.isFinite(spec.intervalSeconds) && spec.intervalSeconds > 0))
    problems.push("interval must be positive");
  if (!(Number.isFinite(spec.soakSeconds) && spec.soakSeconds >= 0))
    problems.push("soak must not be negative");
  if (!(Number.isFinite(spec.deadlineSeconds) && spec.deadlineSeconds >= 0)) {
    problems.push("deadline must not be negative");
  }
  if (!(Number.isInteger(spec.failureThreshold) && spec.failureThreshold >= 1)) {
    problems.push("failure_threshold must be a positive integer");
  }
  if (!(Number.isInteger(spec.maxErrors) && spec.maxErrors >= 1))
    problems.push("max_errors must be a positive integer");
  // An empty plan would "pass" after the soak without reading anything: exactly the silent pass to avoid.
  if (spec.checks.length === 0) problems.push('checks must name at least one check (for example "rollout")');
  const names = spec.checks.map((check) => check.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) problems.push(`check "${duplicate}" appears twice`);
  if (problems.length > 0) throw new Error(`invalid verification plan: ${problems.join("; ")}`);
}

import { parseDuration } from "./parse-duration.js";
import { DEFAULT_BASELINE_SECONDS, type CheckSpec, type VerifySpec } from "./verify-spec.js";

/**
 * A runbook's `verify:` block as its schema yields it: snake_case, Go-style durations, and optional
 * fields that may be present-but-undefined (zod's output shape).
 */
export interface VerifyBlockInput {
  interval: string;
  soak: string;
  failure_threshold: number;
  max_errors: number;
  deadline: string;
  checks: {
    name: string;
    query?: string | undefined;
    max?: number | undefined;
    min?: number | undefined;
    max_increase?: number | undefined;
    baseline?: string | undefined;
  }[];
}

export function toVerifySpec(block: VerifyBlockInput): VerifySpec {
  const seconds = (field: "interval" | "soak" | "deadline"): number => {
    try {
      return parseDuration(block[field]);
    } catch (error) {
      throw new Error(`verify.${field}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  };
  return {
    intervalSeconds: seconds("interval"),
    soakSeconds: seconds("soak"),
    failureThreshold: block.failure_threshold,
    maxErrors: block.max_errors,
    deadlineSeconds: seconds("deadline"),
    checks: block.checks.map(toCheckSpec),
  };
}

function toCheckSpec(check: VerifyBlockInput["checks"][number]): CheckSpec {
  const spec: CheckSpec = { name: check.name };
  if (check.query !== undefined) spec.query = check.query;
  if (check.max !== undefined) spec.max = check.max;
  if (check.min !== undefined) spec.min = check.min;
  if (check.max_increase !== undefined) {
    spec.maxIncrease = check.max_increase;
    spec.baselineSeconds =
      check.baseline === undefined ? DEFAULT_BASELINE_SECONDS : parseDuration(check.baseline);
  }
  return spec;
}

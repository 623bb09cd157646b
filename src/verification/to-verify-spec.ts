import { parseDuration } from "./parse-duration.js";
import type { CheckSpec, VerifySpec } from "./verify-spec.js";

/** A runbook's `verify:` block as its schema yields it (snake_case, Go-style durations). */
export interface VerifyBlockInput {
  interval: string;
  soak: string;
  failure_threshold: number;
  max_errors: number;
  deadline: string;
  checks: CheckSpec[];
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
    checks: block.checks.map((check) => ({ ...check })),
  };
}

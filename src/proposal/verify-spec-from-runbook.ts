import type { VerifyBlock } from "../diagnosis/runbook-schema.js";
import { parseDuration } from "../verification/parse-duration.js";
import type { VerifySpec } from "../verification/verify-spec.js";

export function verifySpecFromRunbook(block: VerifyBlock): VerifySpec {
  return {
    intervalSeconds: parseDuration(block.interval),
    soakSeconds: parseDuration(block.soak),
    failureThreshold: block.failure_threshold,
    maxErrors: block.max_errors,
    deadlineSeconds: parseDuration(block.deadline),
    checks: block.checks.map((check) => ({
      name: check.name,
      ...(check.query === undefined ? {} : { query: check.query }),
      ...(check.max === undefined ? {} : { max: check.max }),
      ...(check.min === undefined ? {} : { min: check.min }),
    })),
  };
}

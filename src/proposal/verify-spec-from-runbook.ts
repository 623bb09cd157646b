import type { VerifyBlock } from "../diagnosis/runbook-schema.js";
import { toVerifySpec } from "../verification/to-verify-spec.js";
import type { VerifySpec } from "../verification/verify-spec.js";

/** The runbook's validated `verify:` block as the verdict machine's spec (durations in seconds). */
export function verifySpecFromRunbook(block: VerifyBlock): VerifySpec {
  return toVerifySpec({
    ...block,
    checks: block.checks.map(({ name, query, max, min, max_increase, baseline }) => ({
      name,
      ...(query === undefined ? {} : { query }),
      ...(max === undefined ? {} : { max }),
      ...(min === undefined ? {} : { min }),
      ...(max_increase === undefined ? {} : { max_increase }),
      ...(baseline === undefined ? {} : { baseline }),
    })),
  });
}

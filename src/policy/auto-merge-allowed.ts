import type { AutoMergeRule } from "./policy-schema.js";

type Risk = "low" | "medium" | "high";
const ORDER: Record<Risk, number> = { low: 0, medium: 1, high: 2 };

export interface AutoMergeVerdict {
  enabled: boolean;
  /** A sentence for the packet: why auto-merge is on or off. */
  why: string;
}

/**
 * Whether Remedy may enable GitHub auto-merge for a plan of this risk. `true` is read as
 * `{ max_risk: low }`; production never goes above low, whatever the policy says, and a high-risk
 * plan never auto-merges. Branch protection still decides when the merge happens.
 */
export function autoMergeAllowed(rule: AutoMergeRule, risk: Risk, environment: string): AutoMergeVerdict {
  if (rule === false) return { enabled: false, why: "auto-merge is off in policy" };
  const configured: Risk = rule === true ? "low" : rule.max_risk;
  const prod = environment === "prod" || environment === "production";
  const ceiling: Risk = prod && ORDER[configured] > ORDER.low ? "low" : configured;
  const capped = ceiling === configured ? "" : ` (capped at low in ${environment})`;
  if (ORDER[risk] > ORDER[ceiling])
    return {
      enabled: false,
      why: `auto-merge is off: risk ${risk} is above the policy's max_risk ${ceiling}${capped}`,
    };
  return { enabled: true, why: `auto-merge is on: risk ${risk} is within max_risk ${ceiling}${capped}` };
}

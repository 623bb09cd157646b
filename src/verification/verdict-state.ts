import type { Observation } from "./observation.js";
import type { VerifySpec } from "./verify-spec.js";

export type EvaluationResult = "ok" | "failing" | "no-data" | "pending";

export interface EvaluationRecord extends Observation {
  result: EvaluationResult;
  /** Human-readable reasons, e.g. "error_rate 0.09 > max 0.02"; empty unless the result is failing. */
  failing: string[];
}

export type Outcome = "pass" | "fail" | "inconclusive";

/** Plain JSON, so a verification in flight can be stored and resumed after a restart. */
export interface VerdictState {
  spec: VerifySpec;
  mergedAt: string;
  evaluations: EvaluationRecord[];
  consecutiveFailures: number;
  consecutiveNoData: number;
  soakStartedAt: string | null;
  outcome: Outcome | null;
  reason: string | null;
  /**
   * Baselines of the checks with `maxIncrease`, recorded when verification starts (read at the merge,
   * over the window before it); null while no data was found. Absent in states stored before v2.
   */
  baselines?: Record<string, number | null>;
}

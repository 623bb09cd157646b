import { applyObservation } from "./apply-observation.js";
import { baselinesToRead } from "./baseline.js";
import type { HealthContext, HealthSource, RolloutSource } from "./health-source.js";
import { nextEvaluationAt } from "./next-evaluation-at.js";
import { observe } from "./observe.js";
import { startVerdict } from "./start-verdict.js";
import type { VerdictState } from "./verdict-state.js";
import type { VerifySpec } from "./verify-spec.js";

/**
 * Plays a whole verification on virtual time, evaluation after evaluation, until an outcome: for
 * scenarios, `remedy simulate` and tests. The live bot instead persists the state and calls
 * observe/applyObservation once per tick, so it survives restarts. Always ends: the verdict's own cap
 * decides by mergedAt + deadline + soak + max_errors·interval.
 */
export async function runVerification(
  spec: VerifySpec,
  mergedAt: string,
  ctx: Omit<HealthContext, "at">,
  sources: { health: HealthSource; rollout?: RolloutSource },
): Promise<VerdictState> {
  let state = startVerdict(spec, mergedAt);
  for (let at = nextEvaluationAt(state); at !== null; at = nextEvaluationAt(state)) {
    const baselines = { checks: baselinesToRead(state), at: mergedAt };
    state = applyObservation(state, await observe(spec, { ...ctx, at }, sources, baselines));
  }
  return state;
}

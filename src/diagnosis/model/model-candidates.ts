import type { RunbookScore } from "../match-runbooks.js";

/** How many of the scorer's candidates a model may choose among. */
export const MODEL_CANDIDATES = 5;

/**
 * The runbooks a model may choose: the scorer's best few, including those below the threshold so
 * fuzzy wording can be rescued. A runbook whose label matcher refused the signal (score 0 with a
 * reason) stays out: a label contradiction is a rule, not a matter of wording.
 */
export function modelCandidates(candidates: readonly RunbookScore[]): RunbookScore[] {
  return candidates.filter((c) => !(c.score === 0 && c.reasons.length > 0)).slice(0, MODEL_CANDIDATES);
}

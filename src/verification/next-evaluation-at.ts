import { toIso, toMillis } from "./iso-time.js";
import type { VerdictState } from "./verdict-state.js";

/**
 * The next grid point mergedAt + k·interval after the latest evaluation, or null once decided. Computed
 * from the latest evaluation rather than a counter, so after a restart the schedule resumes on the grid
 * (a time already past means "evaluate now").
 */
export function nextEvaluationAt(state: VerdictState): string | null {
  if (state.outcome !== null) return null;
  const merged = toMillis(state.mergedAt, "mergedAt");
  const intervalMs = state.spec.intervalSeconds * 1000;
  const latest = state.evaluations.at(-1);
  const since = latest === undefined ? 0 : Math.max(0, toMillis(latest.at, "evaluation time") - merged);
  const k = Math.floor(since / intervalMs + 1e-9) + 1;
  return toIso(merged + Math.round(k * intervalMs));
}

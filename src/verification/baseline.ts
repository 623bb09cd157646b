import { formatDuration } from "./format-duration.js";
import { formatValue } from "./format-value.js";
import type { Sample } from "./observation.js";
import type { VerdictState } from "./verdict-state.js";
import { DEFAULT_BASELINE_SECONDS, type CheckSpec } from "./verify-spec.js";

/**
 * Checks relative to a baseline (SPEC §3.2 `max_increase`): the baseline is the same query averaged
 * over the window before the merge, read once, at the merge time, when verification starts (and again
 * only while it had no data). A check then holds while its value is at most `maxIncrease` above it.
 */

/** The check as it reads its baseline: the query averaged over the window, evaluated at the merge. */
export function baselineCheck(check: CheckSpec): CheckSpec {
  const seconds = check.baselineSeconds ?? DEFAULT_BASELINE_SECONDS;
  // An explicit step, about 30 points over the window: Prometheus's default step is its evaluation
  // interval (often 1m), which would leave a short window with no points at all.
  const step = formatDuration(Math.max(1, Math.round(seconds / 30)));
  // On lines of its own, so a trailing `# comment` in the check's query cannot swallow the wrapper.
  return {
    name: check.name,
    query: `avg_over_time((\n${check.query ?? ""}\n)[${formatDuration(seconds)}:${step}])`,
    baselineRead: true,
  };
}

/** The checks whose baseline is still to be read (none recorded yet, or no data so far). */
export function baselinesToRead(state: VerdictState): CheckSpec[] {
  return state.spec.checks.filter(
    (check) =>
      check.maxIncrease !== undefined &&
      check.query !== undefined &&
      (state.baselines?.[check.name] ?? null) === null,
  );
}

/** The baselines of `state` with those newly read folded in; a recorded value is never replaced. */
export function recordBaselines(state: VerdictState, read: readonly Sample[] | undefined): VerdictState {
  if (read === undefined || read.length === 0) return state;
  const baselines: Record<string, number | null> = { ...state.baselines };
  for (const sample of read) {
    if ((baselines[sample.name] ?? null) !== null) continue;
    const value = sample.value;
    baselines[sample.name] = value === null || !Number.isFinite(value) ? null : value;
  }
  return { ...state, baselines };
}

/** The highest healthy value: the baseline plus `maxIncrease` of its size. */
export function baselineLimit(baseline: number, maxIncrease: number): number {
  return baseline + Math.abs(baseline) * maxIncrease;
}

/** "+20% over the 30m before the merge", for packets and summaries. */
export function describeIncrease(check: CheckSpec): string {
  const percent = Number(((check.maxIncrease ?? 0) * 100).toPrecision(4));
  return `≤ baseline +${percent}% (the ${formatDuration(check.baselineSeconds ?? DEFAULT_BASELINE_SECONDS)} before the merge)`;
}

/** "0.008 before, 0.014 now, limit +20% = 0.0096": the comparison a reviewer needs. */
export function describeAgainstBaseline(
  check: CheckSpec,
  baseline: number | null,
  now: number | null,
): string {
  const percent = Number(((check.maxIncrease ?? 0) * 100).toPrecision(4));
  if (baseline === null) return `baseline no data, ${formatValue(now)} now, limit +${percent}%`;
  return `${formatValue(baseline)} before, ${formatValue(now)} now, limit +${percent}% = ${formatValue(baselineLimit(baseline, check.maxIncrease ?? 0))}`;
}

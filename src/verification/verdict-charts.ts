import { valueOf } from "./evaluate-observation.js";
import { formatDuration } from "./format-duration.js";
import { toMillis } from "./iso-time.js";
import type { VerdictState } from "./verdict-state.js";
import { isRolloutCheck, type CheckSpec } from "./verify-spec.js";

/**
 * One Mermaid `xychart-beta` per metric check, which GitHub renders in comments and check-run text:
 * the value at each evaluation, the threshold as a second line, and the merge as the first point.
 * Values come from Prometheus and names from repository files, so both are made inert: numbers that
 * are not finite are left out (no data), the rest clamped and written without exponents; names lose
 * quotes, brackets and line breaks.
 */
export const MAX_POINTS = 40;
/** No chart block grows past this, whatever the check names: several fit a 65,535-char check run. */
export const MAX_CHART = 4_000;
const LIMIT = 1e12;

/** All charts together stay under this, so a summary with its table fits GitHub's caps. */
export const MAX_CHARTS = 24_000;

export function verdictCharts(state: VerdictState, maxPoints: number = MAX_POINTS): string {
  const charts = state.spec.checks
    .filter((check) => !isRolloutCheck(check))
    .map((check) => checkChart(state, check, maxPoints))
    .filter((chart): chart is string => chart !== null);
  const kept: string[] = [];
  let size = 0;
  for (const chart of charts) {
    if (size + chart.length > MAX_CHARTS) break;
    kept.push(chart);
    size += chart.length + 2;
  }
  const left = charts.length - kept.length;
  return [
    ...kept,
    ...(left > 0 ? [`(${left} more chart${left === 1 ? "" : "s"} left out to fit GitHub's size limit)`] : []),
  ].join("\n\n");
}

function checkChart(state: VerdictState, check: CheckSpec, maxPoints: number): string | null {
  const merged = toMillis(state.mergedAt, "mergedAt");
  const points = state.evaluations.flatMap((evaluation) => {
    const value = chartNumber(valueOf(evaluation.samples, check.name));
    if (value === null) return [];
    const offset = Math.max(0, (toMillis(evaluation.at, "evaluation time") - merged) / 1000);
    return [{ label: `+${formatDuration(Math.round(offset))}`, value }];
  });
  if (points.length === 0) return null;
  const shown = points.slice(-maxPoints);
  const threshold = thresholdOf(check, state.baselines?.[check.name] ?? null);
  const name = chartText(check.name, 60);
  const capped = points.length > shown.length ? ` (last ${shown.length} of ${points.length} readings)` : "";
  const values = shown.map((p) => p.value);
  const all = threshold === null ? values : [...values, threshold];
  const lines = [
    "```mermaid",
    "xychart-beta",
    `  title "${name} after the merge${capped}"`,
    `  x-axis "time since the merge" [${["merge", ...shown.map((p) => p.label)].map((l) => `"${l}"`).join(", ")}]`,
    `  y-axis "${name}" ${axisRange(all)}`,
    // The merge point repeats the first reading: the line starts where the merge left it.
    `  line [${[values[0] as number, ...values].map(writeNumber).join(", ")}]`,
    ...(threshold === null
      ? []
      : [`  line [${[threshold, ...values.map(() => threshold)].map(writeNumber).join(", ")}]`]),
    "```",
    // Outside the chart the name is Markdown again: in code, its `@` mentions nobody.
    threshold === null
      ? `\`${name}\`: no fixed threshold to draw.`
      : `\`${name}\`: the flat line is the ${check.max !== undefined || check.maxIncrease !== undefined ? "maximum" : "minimum"} (${writeNumber(threshold)}).`,
  ];
  const chart = lines.join("\n");
  return chart.length <= MAX_CHART ? chart : null;
}

/** From 0 (or the lowest value) to a tenth above the highest, never an empty range. */
function axisRange(values: number[]): string {
  const low = Math.min(0, ...values);
  const high = Math.max(...values);
  const top = high + (high - low) * 0.1;
  return `${writeNumber(low)} --> ${writeNumber(top > low ? top : low + 1)}`;
}

/** The line a check must stay under (or above): max, min, or the baseline plus its allowed increase. */
function thresholdOf(check: CheckSpec, baseline: number | null): number | null {
  if (check.max !== undefined) return chartNumber(check.max);
  if (check.min !== undefined) return chartNumber(check.min);
  if (check.maxIncrease !== undefined && baseline !== null)
    return chartNumber(baseline * (1 + check.maxIncrease));
  return null;
}

/** A reading the chart can draw: finite and within ±1e12; null for no data. */
export function chartNumber(value: number | null | undefined): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  return Math.max(-LIMIT, Math.min(LIMIT, value));
}

/** Plain decimal notation (Mermaid's grammar has no exponents), at most 6 decimals. */
export function writeNumber(value: number): string {
  const fixed = value.toFixed(6).replace(/\.?0+$/, "");
  return fixed === "-0" || fixed === "" ? "0" : fixed;
}

/** Text inside a Mermaid string: no quotes, brackets, backticks, markup or line breaks. */
export function chartText(text: string, max: number): string {
  const flat = text
    .replace(/[^A-Za-z0-9 ._:/@=+-]/g, "_")
    .replace(/\s+/g, " ")
    .trim();
  return (flat.length > max ? `${flat.slice(0, max - 1)}…` : flat) || "check";
}

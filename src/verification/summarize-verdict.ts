import { describeAgainstBaseline } from "./baseline.js";
import { valueOf } from "./evaluate-observation.js";
import { formatDuration } from "./format-duration.js";
import { formatValue } from "./format-value.js";
import { toMillis } from "./iso-time.js";
import { verdictCharts } from "./verdict-charts.js";
import type { EvaluationRecord, VerdictState } from "./verdict-state.js";
import { isRolloutCheck, type CheckSpec } from "./verify-spec.js";

export type Figures = Record<string, number | null>;

export interface VerdictSummary {
  /** The figures before the change (as given by the caller, e.g. the evidence at diagnosis). */
  before?: Figures;
  /** Each metric check's value at the latest evaluation that counted (not pending). */
  after: Figures;
  /** Markdown table of the evaluations so far. */
  table: string;
  /** One paragraph plus a figure list, ready for a PR comment or check-run summary. */
  text: string;
  /** A Mermaid `xychart-beta` per metric check (see verdict-charts.ts); empty before any reading. */
  charts: string;
}

// Enough rows to show the whole story of a default plan (10m deadline + 5m soak at 30s) in one comment.
const MAX_ROWS = 50;
const MAX_NOTE = 160;

export function summarizeVerdict(state: VerdictState, before?: Figures): VerdictSummary {
  const metricChecks = state.spec.checks.filter((check) => !isRolloutCheck(check));
  const counted = state.evaluations.findLast((evaluation) => evaluation.result !== "pending");
  const after: Figures = {};
  for (const check of metricChecks) after[check.name] = valueIn(counted, check.name);

  const summary: VerdictSummary = {
    after,
    table: renderTable(state, metricChecks),
    text: [headline(state), ...figureLines(metricChecks, after, before, state.baselines ?? {})].join("\n"),
    charts: verdictCharts(state),
  };
  if (before !== undefined) summary.before = before;
  return summary;
}

function headline(state: VerdictState): string {
  const n = state.evaluations.length;
  const count = `${n} evaluation${n === 1 ? "" : "s"}`;
  switch (state.outcome) {
    case "pass":
      return `Verification passed after ${count}: ${state.reason ?? "all checks held"}.`;
    case "fail":
      return `Verification failed after ${count}: ${state.reason ?? "checks failed"}.`;
    case "inconclusive":
      return `Verification inconclusive after ${count}: ${state.reason ?? "no verdict"}. A human needs to decide.`;
    case null:
      break;
  }
  const latest = state.evaluations.at(-1);
  if (state.soakStartedAt === null) {
    const rollout = latest?.rollout;
    const seen = rollout ? `${rollout.state}${rollout.reason ? `: ${rollout.reason}` : ""}` : "state unknown";
    return `Verification in progress (${count}): waiting for the rollout (${seen}).`;
  }
  const soaked = latest
    ? Math.max(
        0,
        (toMillis(latest.at, "evaluation time") - toMillis(state.soakStartedAt, "soakStartedAt")) / 1000,
      )
    : 0;
  return `Verification in progress (${count}): soaked ${formatDuration(soaked)} of ${formatDuration(state.spec.soakSeconds)}.`;
}

function figureLines(
  checks: CheckSpec[],
  after: Figures,
  before: Figures | undefined,
  baselines: Figures,
): string[] {
  return checks.map((check) => {
    if (check.maxIncrease !== undefined) {
      const against = describeAgainstBaseline(
        check,
        baselines[check.name] ?? null,
        after[check.name] ?? null,
      );
      return `- ${check.name}: ${against}${bounds(check)}`;
    }
    const now = formatValue(after[check.name] ?? null);
    const was = before?.[check.name];
    const change = was === undefined ? now : `${formatValue(was)} → ${now}`;
    return `- ${check.name}: ${change}${bounds(check)}`;
  });
}

function bounds(check: CheckSpec): string {
  const parts: string[] = [];
  if (check.min !== undefined) parts.push(`min ${formatValue(check.min)}`);
  if (check.max !== undefined) parts.push(`max ${formatValue(check.max)}`);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

function renderTable(state: VerdictState, checks: CheckSpec[]): string {
  const watchesRollout = state.spec.checks.some(isRolloutCheck);
  const header = [
    "#",
    "time (UTC)",
    ...(watchesRollout ? ["rollout"] : []),
    ...checks.map((c) => c.name),
    "result",
    "note",
  ];
  const lines = [row(header), row(header.map(() => "---"))];
  const merged = toMillis(state.mergedAt, "mergedAt");
  const skipped = Math.max(0, state.evaluations.length - MAX_ROWS);
  if (skipped > 0)
    lines.push(row([`…`, `${skipped} earlier evaluations omitted`, ...header.slice(2).map(() => "")]));
  state.evaluations.slice(skipped).forEach((evaluation, index) => {
    const at = toMillis(evaluation.at, "evaluation time");
    const offset = `+${formatDuration(Math.max(0, (at - merged) / 1000))}`;
    lines.push(
      row([
        String(skipped + index + 1),
        `${evaluation.at.slice(11, 19)} (${offset})`,
        ...(watchesRollout ? [evaluation.rollout?.state ?? "unknown"] : []),
        ...checks.map((check) => formatValue(valueIn(evaluation, check.name))),
        evaluation.result,
        note(evaluation, checks),
      ]),
    );
  });
  return lines.join("\n");
}

function note(evaluation: EvaluationRecord, checks: CheckSpec[]): string {
  if (evaluation.result === "failing") return evaluation.failing.join("; ");
  if (evaluation.result === "pending") {
    const reason = evaluation.rollout?.reason;
    return evaluation.rollout
      ? `rollout ${evaluation.rollout.state}${reason ? `: ${reason}` : ""}`
      : "rollout state unknown";
  }
  return checks
    .map((check) => {
      const sample = evaluation.samples.find((s) => s.name === check.name);
      return valueIn(evaluation, check.name) === null
        ? `${check.name}: ${sample?.reason ?? "no sample"}`
        : null;
    })
    .filter((text): text is string => text !== null)
    .join("; ");
}

function valueIn(evaluation: EvaluationRecord | undefined, name: string): number | null {
  return valueOf(evaluation?.samples ?? [], name);
}

/** Cells may carry error text from Prometheus or the cluster: keep it on one line and inert. */
function cell(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const short = flat.length > MAX_NOTE ? `${flat.slice(0, MAX_NOTE - 1)}…` : flat;
  return short.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/`/g, "\\`");
}

function row(cells: string[]): string {
  return `| ${cells.map(cell).join(" | ")} |`;
}

import { formatDuration } from "./format-duration.js";
import { toMillis } from "./iso-time.js";
import type { VerdictState } from "./verdict-state.js";

/**
 * How far a verification in progress is, in the verify spec's own terms, for the `remedy/verify`
 * check run's title: "evaluation 4 of ≥ 10, soak 2m of 5m left, 0 of 3 failures". The soak needs
 * one evaluation at its start and one per interval until it is held, so the total is a lower bound.
 */
export function verifyProgress(state: VerdictState): string {
  const { spec, evaluations } = state;
  const n = evaluations.length;
  const soakEvaluations = Math.ceil(spec.soakSeconds / spec.intervalSeconds) + 1;
  const soakStart = state.soakStartedAt === null ? null : toMillis(state.soakStartedAt, "soakStartedAt");
  const before =
    soakStart === null ? n : evaluations.filter((e) => toMillis(e.at, "evaluation time") < soakStart).length;
  const atLeast = soakStart === null ? n + soakEvaluations : before + soakEvaluations;
  const latest = evaluations.at(-1);
  const soaked =
    soakStart === null || latest === undefined
      ? 0
      : Math.max(0, (toMillis(latest.at, "evaluation time") - soakStart) / 1000);
  const left = Math.max(0, spec.soakSeconds - soaked);
  const soak =
    soakStart === null
      ? `soak ${formatDuration(spec.soakSeconds)} not started (waiting for the rollout)`
      : `soak ${formatDuration(Math.round(left))} of ${formatDuration(spec.soakSeconds)} left`;
  const noData =
    state.consecutiveNoData > 0 ? `, ${state.consecutiveNoData} of ${spec.maxErrors} without data` : "";
  return `evaluation ${n} of ≥ ${Math.max(n, atLeast)}, ${soak}, ${state.consecutiveFailures} of ${spec.failureThreshold} failures${noData}`;
}

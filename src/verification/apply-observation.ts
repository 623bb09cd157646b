import { recordBaselines } from "./baseline.js";
import { evaluateObservation, valueOf } from "./evaluate-observation.js";
import { formatDuration } from "./format-duration.js";
import { toMillis } from "./iso-time.js";
import type { Observation } from "./observation.js";
import type { EvaluationRecord, Outcome, VerdictState } from "./verdict-state.js";
import { isRolloutCheck } from "./verify-spec.js";

/**
 * Folds one observation into the verdict (SPEC §5). Pure: returns a new state.
 *
 * Runs: an ok evaluation ends both runs; a failing one extends the failure run and ends the no-data run;
 * a no-data one extends the no-data run but leaves the failure run alone, because missing data is no
 * evidence of health and must not hide a failure; a pending one (rollout in progress) touches neither.
 *
 * Observations at or before the merge, or not after the latest evaluation, are ignored, so a tick
 * redelivered or run twice by two replicas is counted once.
 */
export function applyObservation(state: VerdictState, obs: Observation): VerdictState {
  if (state.outcome !== null) return state;
  const { spec } = state;
  const at = toMillis(obs.at, "observation time");
  const merged = toMillis(state.mergedAt, "mergedAt");
  const latest = state.evaluations.at(-1);
  if (at <= merged || (latest !== undefined && at <= toMillis(latest.at, "evaluation time"))) return state;

  const withBaselines = recordBaselines(state, obs.baselines);
  const { result, failing } = evaluateObservation(spec, obs, withBaselines.baselines);
  const record: EvaluationRecord = {
    at: obs.at,
    samples: obs.samples.map((sample) => ({ ...sample })),
    ...(obs.rollout ? { rollout: { ...obs.rollout } } : {}),
    result,
    failing,
  };
  const evaluations = [...state.evaluations, record];
  const watchesRollout = spec.checks.some(isRolloutCheck);
  const soakStartedAt =
    state.soakStartedAt ?? (watchesRollout && obs.rollout?.state === "complete" ? obs.at : null);
  const consecutiveFailures =
    result === "ok" ? 0 : result === "failing" ? state.consecutiveFailures + 1 : state.consecutiveFailures;
  const consecutiveNoData =
    result === "no-data" ? state.consecutiveNoData + 1 : result === "pending" ? state.consecutiveNoData : 0;

  const next: VerdictState = {
    ...withBaselines,
    evaluations,
    consecutiveFailures,
    consecutiveNoData,
    soakStartedAt,
  };
  const decided = decide(next, record, at, merged);
  return decided ? { ...next, outcome: decided.outcome, reason: decided.reason } : next;
}

function decide(
  state: VerdictState,
  record: EvaluationRecord,
  at: number,
  merged: number,
): { outcome: Outcome; reason: string } | null {
  const { spec } = state;
  if (state.consecutiveFailures >= spec.failureThreshold) {
    const runs =
      state.consecutiveFailures === 1
        ? "1 failing evaluation"
        : `${state.consecutiveFailures} consecutive failing evaluations`;
    return { outcome: "fail", reason: `${record.failing.join("; ")} (${runs})` };
  }
  if (state.consecutiveNoData >= spec.maxErrors) {
    return {
      outcome: "inconclusive",
      reason: `no data in ${state.consecutiveNoData} consecutive evaluations (${missingReasons(state, record)})`,
    };
  }
  if (record.result === "ok" && state.soakStartedAt !== null) {
    const soaked = (at - toMillis(state.soakStartedAt, "soakStartedAt")) / 1000;
    if (soaked >= spec.soakSeconds) {
      return {
        outcome: "pass",
        reason: `all checks held for ${formatDuration(soaked)} (soak ${formatDuration(spec.soakSeconds)})`,
      };
    }
  }
  if (state.soakStartedAt === null && at >= merged + spec.deadlineSeconds * 1000) {
    const deadline = formatDuration(spec.deadlineSeconds);
    const lastKnown = state.evaluations.findLast((evaluation) => evaluation.rollout !== undefined)?.rollout;
    // Never having read the rollout state is a monitoring gap, not evidence of a bad rollout.
    if (lastKnown === undefined) {
      return { outcome: "inconclusive", reason: `rollout state unknown: never read within ${deadline}` };
    }
    const detail = lastKnown.reason ? ` (${lastKnown.state}: ${lastKnown.reason})` : ` (${lastKnown.state})`;
    return { outcome: "fail", reason: `not rolled out within ${deadline}${detail}` };
  }
  const capSeconds = spec.deadlineSeconds + spec.soakSeconds + spec.maxErrors * spec.intervalSeconds;
  if (at >= merged + capSeconds * 1000) {
    return {
      outcome: "inconclusive",
      reason: `no stable verdict within ${formatDuration(capSeconds)} (last evaluation: ${record.result})`,
    };
  }
  return null;
}

function missingReasons(state: VerdictState, record: EvaluationRecord): string {
  const reasons = state.spec.checks
    .filter((check) => !isRolloutCheck(check))
    .map((check) => {
      if (valueOf(record.samples, check.name) !== null) {
        const noBaseline =
          check.maxIncrease !== undefined && (state.baselines?.[check.name] ?? null) === null;
        return noBaseline ? `${check.name}: no baseline (no data over the window before the merge)` : null;
      }
      return `${check.name}: ${record.samples.find((s) => s.name === check.name)?.reason ?? "no sample"}`;
    })
    .filter((reason): reason is string => reason !== null);
  return reasons.join("; ");
}

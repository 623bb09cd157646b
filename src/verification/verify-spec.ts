/** One health check of a verification plan. The check named "rollout" is the workload's rollout state. */
export interface CheckSpec {
  name: string;
  query?: string;
  max?: number;
  min?: number;
  /** Healthy while at most this fraction above the baseline: the same query over the window before the merge. */
  maxIncrease?: number;
  /** The baseline window, in seconds, ending at the merge; set whenever `maxIncrease` is. */
  baselineSeconds?: number;
  /** Set on the read of a check's baseline (see baseline.ts), so a scripted source can tell it apart. */
  baselineRead?: true;
}

/** A runbook's `verify:` block with durations already in seconds. */
export interface VerifySpec {
  intervalSeconds: number;
  soakSeconds: number;
  failureThreshold: number;
  maxErrors: number;
  deadlineSeconds: number;
  checks: CheckSpec[];
}

export const ROLLOUT_CHECK = "rollout";

/** SPEC §3.2: a check's `baseline` window defaults to the 30 minutes before the merge. */
export const DEFAULT_BASELINE_SECONDS = 1800;

export function isRolloutCheck(check: CheckSpec): boolean {
  return check.name === ROLLOUT_CHECK;
}

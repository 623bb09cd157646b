/** One health check of a verification plan. The check named "rollout" is the workload's rollout state. */
export interface CheckSpec {
  name: string;
  query?: string;
  max?: number;
  min?: number;
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

export function isRolloutCheck(check: CheckSpec): boolean {
  return check.name === ROLLOUT_CHECK;
}

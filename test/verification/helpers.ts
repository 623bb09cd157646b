import type { CheckSpec, Observation, RolloutState, VerifySpec } from "../../src/verification/index.js";

export const MERGED_AT = "2026-11-21T10:00:00.000Z";

export const ERROR_RATE: CheckSpec = { name: "error_rate", query: "error_rate_query", max: 0.02 };
export const ROLLOUT: CheckSpec = { name: "rollout" };

export function plan(overrides: Partial<VerifySpec> = {}): VerifySpec {
  return {
    intervalSeconds: 30,
    soakSeconds: 120,
    failureThreshold: 3,
    maxErrors: 3,
    deadlineSeconds: 600,
    checks: [ERROR_RATE, ROLLOUT],
    ...overrides,
  };
}

/** The ISO time `seconds` after the merge. */
export function after(seconds: number): string {
  return new Date(Date.parse(MERGED_AT) + seconds * 1000).toISOString();
}

export function obs(
  seconds: number,
  values: Record<string, number | null>,
  rollout?: RolloutState,
): Observation {
  return {
    at: after(seconds),
    samples: Object.entries(values).map(([name, value]) =>
      value === null ? { name, value, reason: "no series" } : { name, value },
    ),
    ...(rollout ? { rollout: { state: rollout } } : {}),
  };
}

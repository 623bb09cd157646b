export type RolloutState = "progressing" | "complete" | "failed";

/** One check's reading; `value: null` means no data, and `reason` says why. */
export interface Sample {
  name: string;
  value: number | null;
  reason?: string;
}

/** Everything read at one evaluation time. An absent `rollout` means its state is unknown. */
export interface Observation {
  at: string;
  samples: Sample[];
  rollout?: { state: RolloutState; reason?: string };
  /** Baselines read with this observation (checks with `maxIncrease`), by check name; see baseline.ts. */
  baselines?: Sample[];
}

import type { CheckSpec } from "./verify-spec.js";
import type { RolloutState, Sample } from "./observation.js";

/** What a health source needs to know about the workload under verification. */
export interface HealthContext {
  service: string;
  environment: string;
  namespace?: string;
  workload: string;
  mergeSha: string;
  /** The evaluation time (ISO-8601); queries are evaluated at this instant, so a replay reads the same data. */
  at: string;
}

/** Reads one metric check. Implementations never throw: trouble is a sample with `value: null` and a reason. */
export interface HealthSource {
  sample(check: CheckSpec, ctx: HealthContext): Promise<Sample>;
}

/** Reads the workload's rollout state; null when it cannot be known right now. */
export interface RolloutSource {
  rollout(ctx: HealthContext): Promise<{ state: RolloutState; reason?: string } | null>;
}

/** The sources one verification reads: health checks, and the rollout state when configured. */
export interface HealthSources {
  health: HealthSource;
  rollout?: RolloutSource;
}

import type { HealthContext, HealthSource, RolloutSource } from "./health-source.js";
import type { RolloutState, Sample } from "./observation.js";
import type { CheckSpec } from "./verify-spec.js";

/**
 * Health and rollout from a script, for scenarios and `remedy simulate`: the k-th read of a check
 * returns its k-th value and the last value repeats; `null` is no data. Without a rollout list the
 * rollout is complete from the start. Baseline reads (checks with `max_increase`) are answered from
 * `baselines`, never from the series, so a script's first value stays the first evaluation's.
 */
export class ScriptedHealth implements HealthSource, RolloutSource {
  readonly #series: Record<string, (number | null)[]>;
  readonly #rollout: RolloutState[] | undefined;
  readonly #reads = new Map<string, number>();
  #rolloutReads = 0;
  readonly #baselines: Record<string, number | null>;

  constructor(
    series: Record<string, (number | null)[]>,
    rollout?: RolloutState[],
    baselines: Record<string, number | null> = {},
  ) {
    this.#series = series;
    this.#rollout = rollout;
    this.#baselines = baselines;
  }

  async sample(check: CheckSpec, _ctx: HealthContext): Promise<Sample> {
    if (check.baselineRead === true) {
      const baseline = Object.hasOwn(this.#baselines, check.name) ? this.#baselines[check.name] : undefined;
      return baseline === undefined || baseline === null
        ? { name: check.name, value: null, reason: "no scripted baseline for this check" }
        : { name: check.name, value: baseline };
    }
    const values = Object.hasOwn(this.#series, check.name) ? this.#series[check.name] : undefined;
    if (values === undefined || values.length === 0) {
      return { name: check.name, value: null, reason: "no scripted values for this check" };
    }
    const k = this.#reads.get(check.name) ?? 0;
    this.#reads.set(check.name, k + 1);
    const value = values[Math.min(k, values.length - 1)] ?? null;
    return value === null
      ? { name: check.name, value: null, reason: "scripted no data" }
      : { name: check.name, value };
  }

  async rollout(_ctx: HealthContext): Promise<{ state: RolloutState; reason: string }> {
    const states = this.#rollout;
    if (states === undefined || states.length === 0) return { state: "complete", reason: "scripted" };
    const k = this.#rolloutReads;
    this.#rolloutReads += 1;
    return { state: states[Math.min(k, states.length - 1)] ?? "complete", reason: "scripted" };
  }
}

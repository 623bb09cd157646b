import type { HealthContext, HealthSource, RolloutSource } from "./health-source.js";
import { baselineCheck } from "./baseline.js";
import type { Observation, Sample } from "./observation.js";
import { isRolloutCheck, type CheckSpec, type VerifySpec } from "./verify-spec.js";

/**
 * Reads every check of the plan once, at `ctx.at`. Never throws: a source that throws anyway yields a
 * no-data sample (or an unknown rollout), because a broken probe must never look like a healthy one.
 */
export async function observe(
  spec: VerifySpec,
  ctx: HealthContext,
  sources: { health: HealthSource; rollout?: RolloutSource },
  baselines: { checks: readonly CheckSpec[]; at: string } = { checks: [], at: ctx.at },
): Promise<Observation> {
  const metricChecks = spec.checks.filter((check) => !isRolloutCheck(check));
  const watchesRollout = spec.checks.some(isRolloutCheck);
  const [samples, rollout, baselineSamples] = await Promise.all([
    Promise.all(metricChecks.map((check) => sampleSafely(sources.health, check, ctx))),
    watchesRollout && sources.rollout ? rolloutSafely(sources.rollout, ctx) : Promise.resolve(null),
    // Read at the merge, so the window is the one before the change whenever the read happens.
    Promise.all(
      baselines.checks.map((check) =>
        sampleSafely(sources.health, baselineCheck(check), { ...ctx, at: baselines.at }),
      ),
    ),
  ]);
  return {
    at: ctx.at,
    samples,
    ...(rollout ? { rollout } : {}),
    ...(baselineSamples.length > 0 ? { baselines: baselineSamples } : {}),
  };
}

async function sampleSafely(source: HealthSource, check: CheckSpec, ctx: HealthContext): Promise<Sample> {
  try {
    const sample = await source.sample(check, ctx);
    // The plan's name is authoritative: a source echoing another name must not leave the check unread.
    return { ...sample, name: check.name };
  } catch (error) {
    return { name: check.name, value: null, reason: `health source failed: ${messageOf(error)}` };
  }
}

async function rolloutSafely(
  source: RolloutSource,
  ctx: HealthContext,
): ReturnType<RolloutSource["rollout"]> {
  try {
    return await source.rollout(ctx);
  } catch {
    return null;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

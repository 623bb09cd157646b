import type { Plan } from "../proposal/plan.js";
import type { FlowDeps } from "./deps.js";

/** Longer than any proposal takes to open; a holder that died frees the target after this. */
const LOCK_TTL_SECONDS = 120;
const WAIT_LIMIT_MS = 150_000;

/**
 * Runs `work` holding the lock of one service's environment in one repository, so incidents that
 * arrive together for the same target (Alertmanager groups by pod, HA pairs, a storm) decide one at a
 * time: the second sees the first one's PR before it counts the rate limit or takes the field (SPEC
 * §3.4). The lock is a store lease, so replicas sharing a store share it; it is released when the
 * work ends and expires by itself if its holder dies.
 */
export async function withTargetLock<T>(
  deps: FlowDeps,
  plan: Pick<Plan, "service" | "environment">,
  work: () => Promise<T>,
): Promise<T> {
  const key = `target-lock:${deps.forge.repo}|${plan.service}|${plan.environment}`;
  const started = Date.now();
  let token: string | null;
  for (
    let wait = 20;
    (token = await deps.store.lock(key, LOCK_TTL_SECONDS * 1000)) === null;
    wait = Math.min(wait * 2, 500)
  ) {
    if (Date.now() - started > WAIT_LIMIT_MS)
      throw new Error(
        `${plan.service} in ${plan.environment} stayed locked by another proposal for ${WAIT_LIMIT_MS / 1000} s`,
      );
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  try {
    return await work();
  } finally {
    await deps.store.release(key, token);
  }
}

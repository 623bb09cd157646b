import type { Plan } from "../proposal/plan.js";
import type { FlowDeps } from "./deps.js";
import { withLock } from "./with-lock.js";

/**
 * Runs `work` holding the lock of one service's environment in one repository, so incidents that
 * arrive together for the same target (Alertmanager groups by pod, HA pairs, a storm) decide one at a
 * time: the second sees the first one's PR before it counts the rate limit or takes the field (SPEC
 * §3.4). The lock is a store lease, so replicas sharing a store share it.
 */
export function withTargetLock<T>(
  deps: FlowDeps,
  plan: Pick<Plan, "service" | "environment">,
  work: () => Promise<T>,
): Promise<T> {
  const key = `target-lock:${deps.forge.repo.toLowerCase()}|${plan.service}|${plan.environment}`;
  return withLock(deps.store, key, work, { waitMs: 150_000 });
}

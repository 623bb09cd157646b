/** No retry waits longer than this, whatever the base and the attempt. */
export const MAX_RETRY_DELAY_MS = 10 * 60_000;

/**
 * How long to wait before retry number `attempt` (1 for the first retry): exponential from `baseMs`
 * (base, 2×base, 4×base…) with "equal jitter", a random point in the upper half of that step, so
 * replicas and items that failed together do not all come back at the same instant, and no retry
 * comes back sooner than half its step.
 */
export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const step = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * Math.min(1, Math.max(0, random())));
}

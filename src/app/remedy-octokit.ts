import { ProbotOctokit } from "probot";

/** Retries of one request after a (secondary) rate limit before it fails to the inbox's backoff. */
export const RATE_LIMIT_RETRIES = 2;
/** A wait GitHub asks for longer than this is not waited inside the request: the inbox retries later. */
export const RATE_LIMIT_MAX_WAIT_SECONDS = 60;

interface Logged {
  log: { warn(message: string): void };
}

/**
 * Whether the throttle plugin should retry a request GitHub rate-limited: a bounded number of times,
 * and only when the wait is short, each logged. Probot's default never retries a secondary rate
 * limit and retries a primary one whatever the wait; Remedy's accepted work holds its target's queue
 * while a request waits, so the wait is bounded and the rest is left to the inbox's backoff.
 */
export function rateLimitRetry(kind: "primary" | "secondary") {
  return (
    retryAfter: number,
    options: { method?: string; url?: string },
    octokit: Logged,
    retryCount: number,
  ): boolean => {
    const retry = retryCount < RATE_LIMIT_RETRIES && retryAfter <= RATE_LIMIT_MAX_WAIT_SECONDS;
    octokit.log.warn(
      `GitHub ${kind} rate limit on ${options.method ?? "?"} ${options.url ?? "?"} (retry after ${retryAfter} s, retry ${retryCount + 1} of ${RATE_LIMIT_RETRIES}): ${retry ? "retrying" : "giving up; the work is retried later from the inbox"}`,
    );
    return retry;
  };
}

/**
 * Probot's Octokit with Remedy's rate-limit handling. A function of the options, because Probot
 * passes its own `throttle` handlers to every instance, which would replace plain defaults.
 */
export const RemedyOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: {
    ...(options.throttle as object | undefined),
    onRateLimit: rateLimitRetry("primary"),
    onSecondaryRateLimit: rateLimitRetry("secondary"),
  },
}));

import { AsyncLocalStorage } from "node:async_hooks";
import { UrgentTurns, type Place } from "./urgent-turns.js";

/** Where a request stands in its installation's write lane: lower rank first, then lower order. */
export interface Urgency extends Place {
  /** Gives the work's concurrency slot back (WorkGate) while it only waits on follow-up writes. */
  release?: () => void;
}

/** Added to a work item's rank for the writes that can follow its PR: after every item's PR path. */
export const FOLLOW_UP_RANK = 100;

/** Requests sent outside any work item (readiness, recovery, the verification scheduler). */
const OUTSIDE_WORK: Urgency = { rank: 0, order: 0 };

const current = new AsyncLocalStorage<Urgency>();

/** Runs `task` with every GitHub write it makes queued at `urgency` in its installation's lane. */
export function withUrgency<T>(urgency: Urgency, task: () => Promise<T>): Promise<T> {
  return current.run(urgency, task);
}

/**
 * Runs `task` with its writes queued behind every work item's writes that lead to a PR (the
 * labels, check run, ledger record and timeline of a PR already visible), keeping its order among
 * the other follow-ups: a critical incident's follow-up still goes before a warning's.
 */
export function asFollowUp<T>(task: () => Promise<T>): Promise<T> {
  const urgency = currentUrgency();
  if (urgency.rank >= FOLLOW_UP_RANK) return task();
  urgency.release?.();
  return current.run({ rank: urgency.rank + FOLLOW_UP_RANK, order: urgency.order }, task);
}

/**
 * Probot's write throttle (`@octokit/plugin-throttling`) lets one write (any POST, PATCH, PUT or
 * DELETE, and every GraphQL request, queries included) start per second per installation, in the
 * order the requests reached it. Alone, that order is arrival: ten concurrent incidents interleave
 * their writes and a critical alert's PR waits behind every warning's labels and ledger appends.
 * The lane sits in front of the throttle: per installation it lets one such request at a time
 * through to Octokit (until the throttle sends it), and the next one through is the most urgent
 * waiting (the work item's rank: critical before warning; then the
 * oldest work), so the throttle's own queue stays short and cannot reorder the work. GET
 * requests, which GitHub does not space, never wait here.
 */
export class WriteLanes {
  readonly #turns = new UrgentTurns();

  /**
   * Sends `send` when it is this request's turn in lane `key`; GETs and token requests pass at once.
   * The lane is free for the next request once `send` says its request left for GitHub (`sent`:
   * the throttle let it through; the throttle then spaces the next one from it), or once it settles.
   * A request that stalls on the wire, or waits out a retry's backoff, holds no one up.
   */
  run<T>(key: string, method: string, url: string, send: (sent: () => void) => Promise<T>): Promise<T> {
    if (!spacedByThrottle(method, url)) return send(() => undefined);
    return this.#turns.take(key, currentUrgency(), send);
  }

  /** Requests waiting for their turn, over every lane. */
  get waiting(): number {
    return this.#turns.waiting;
  }
}

/** The urgency of the work running now (webhook-free code: the most urgent). */
export function currentUrgency(): Urgency {
  return current.getStore() ?? OUTSIDE_WORK;
}

/**
 * The requests @octokit/plugin-throttling spaces a second apart: every method but GET and HEAD, and
 * every GraphQL request; the installation-token exchange is not one of them.
 */
export function spacedByThrottle(method: string, url: string): boolean {
  const path = new URL(url, "http://github.test").pathname;
  const upper = method.toUpperCase();
  if (path.startsWith("/graphql")) return true;
  if (upper === "GET" || upper === "HEAD") return false;
  return !/^\/app\/installations\/[^/]+\/access_tokens$/.test(path) && !/^\/applications\//.test(path);
}

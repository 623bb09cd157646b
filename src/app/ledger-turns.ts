import { before, currentUrgency, type Urgency } from "./write-lane.js";

interface Waiter extends Urgency {
  start: () => void;
}

/**
 * One audit append at a time per ledger in this process (AuditLedger's `exclusive`), the most
 * urgent waiting work's next (critical before warning, then the oldest, as in the write lanes).
 * Concurrent work items of one replica would otherwise race for the `remedy-audit` head, and each
 * lost race costs an upload of the whole ledger and a read of it back: in a storm of 50 incidents,
 * most of the replicas' CPU. Replicas still race each other; the compare-and-swap settles that.
 */
export class LedgerTurns {
  readonly #busy = new Set<string>();
  readonly #waiting = new Map<string, Waiter[]>();

  /** Runs `task` when it is its turn on ledger `key`. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const urgency = currentUrgency();
    return new Promise<T>((resolve, reject) => {
      const waiters = this.#waiting.get(key) ?? [];
      this.#waiting.set(key, waiters);
      waiters.push({
        rank: urgency.rank,
        order: urgency.order,
        start: () => {
          void Promise.resolve()
            .then(task)
            .then(resolve, reject)
            .finally(() => {
              this.#busy.delete(key);
              this.#next(key);
            });
        },
      });
      this.#next(key);
    });
  }

  #next(key: string): void {
    if (this.#busy.has(key)) return;
    const waiters = this.#waiting.get(key);
    if (waiters === undefined || waiters.length === 0) {
      this.#waiting.delete(key);
      return;
    }
    let best = 0;
    for (let i = 1; i < waiters.length; i++)
      if (before(waiters[i] as Waiter, waiters[best] as Waiter)) best = i;
    const [next] = waiters.splice(best, 1) as [Waiter];
    this.#busy.add(key);
    next.start();
  }
}

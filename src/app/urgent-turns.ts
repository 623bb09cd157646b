/** Where a task stands in a queue of turns: lower rank first, then lower order. */
export interface Place {
  /** workRank of the work item (webhook work 0, then alerts by severity). */
  rank: number;
  /** The order the work was dispatched in: within a rank, older work goes first. */
  order: number;
}

export function before(a: Place, b: Place): boolean {
  return a.rank !== b.rank ? a.rank < b.rank : a.order < b.order;
}

interface Waiter extends Place {
  start: () => void;
}

/**
 * One task at a time per key, the most urgent waiting one next (the write lanes per installation,
 * the ledger turns per ledger). A turn passes on when its task calls `done`, or at the latest when
 * the task settles.
 */
export class UrgentTurns {
  readonly #busy = new Set<string>();
  readonly #waiting = new Map<string, Waiter[]>();

  /** Runs `task` when it is its turn on `key`, at `place` among the waiting tasks. */
  take<T>(key: string, place: Place, task: (done: () => void) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiters = this.#waiting.get(key) ?? [];
      this.#waiting.set(key, waiters);
      waiters.push({
        rank: place.rank,
        order: place.order,
        start: () => {
          let held = true;
          const done = (): void => {
            if (!held) return;
            held = false;
            this.#busy.delete(key);
            this.#next(key);
          };
          void Promise.resolve()
            .then(() => task(done))
            .then(resolve, reject)
            .finally(done);
        },
      });
      this.#next(key);
    });
  }

  /** Tasks waiting for their turn, over every key. */
  get waiting(): number {
    let n = 0;
    for (const waiters of this.#waiting.values()) n += waiters.length;
    return n;
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

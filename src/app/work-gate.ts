interface Waiter {
  key: string;
  rank: number;
  start: (release: () => void) => Promise<void>;
}

/**
 * The runtime's dispatch of accepted work: at most `limit` tasks run at once, so a storm of
 * accepted alerts cannot crowd the event loop that answers `POST /alerts`. A free slot goes to the
 * waiting task of the lowest rank (most urgent), in arrival order within a rank. Tasks of one key
 * run one at a time in arrival order: only the oldest waiter of a key may start, and only while no
 * task of that key runs, so a slot never sits waiting on a busy key. A task that is only waiting on
 * GitHub's write throttle (its PR is visible; its follow-up writes queue behind other work's) gives
 * its slot back with `release`: its key stays busy, and the next waiting task starts.
 */
export class WorkGate {
  readonly #limit: number;
  readonly #busy = new Set<string>();
  /** Tasks holding a slot (a released task still holds its key in #busy). */
  #holding = 0;
  readonly #waiting: Waiter[] = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  run<T>(key: string, rank: number, task: (release: () => void) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({
        key,
        rank,
        start: (release) =>
          Promise.resolve()
            .then(() => task(release))
            .then(resolve, reject),
      });
      this.#pump();
    });
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  #pump(): void {
    while (this.#holding < this.#limit) {
      const at = this.#next();
      if (at < 0) return;
      const [waiter] = this.#waiting.splice(at, 1) as [Waiter];
      this.#busy.add(waiter.key);
      this.#holding++;
      let held = true;
      const release = (): void => {
        if (!held) return;
        held = false;
        this.#holding--;
        this.#pump();
      };
      void waiter.start(release).finally(() => {
        this.#busy.delete(waiter.key);
        if (held) {
          held = false;
          this.#holding--;
        }
        this.#pump();
      });
    }
  }

  /** The index of the waiter to start next, or -1 when none may start. */
  #next(): number {
    const seen = new Set<string>();
    let best = -1;
    for (let i = 0; i < this.#waiting.length; i++) {
      const { key, rank } = this.#waiting[i] as Waiter;
      if (seen.has(key)) continue;
      seen.add(key);
      if (this.#busy.has(key)) continue;
      if (best < 0 || rank < (this.#waiting[best] as Waiter).rank) best = i;
    }
    return best;
  }
}

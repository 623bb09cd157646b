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
/**
 * A burst of arrivals (notifications closer together than `quietMs`) holds back the start of new
 * work until the burst pauses for `quietMs`, for at most `maxHoldMs` from its first arrival: while
 * Alertmanager (and its HA peer) pour a storm in, answering them comes first. A lone arrival holds
 * nothing, and after `maxHoldMs` work starts even while the burst goes on.
 */
export interface BurstHold {
  quietMs: number;
  maxHoldMs: number;
}

export const DEFAULT_BURST_HOLD: BurstHold = { quietMs: 25, maxHoldMs: 1_000 };

export class WorkGate {
  readonly #limit: number;
  readonly #hold: BurstHold;
  readonly #now: () => number;
  #lastArrival = Number.NEGATIVE_INFINITY;
  #burstStart = Number.NEGATIVE_INFINITY;
  #inBurst = false;
  #wake: NodeJS.Timeout | undefined;
  readonly #busy = new Set<string>();
  /** Tasks holding a slot (a released task still holds its key in #busy). */
  #holding = 0;
  readonly #waiting: Waiter[] = [];

  constructor(
    limit: number,
    hold: BurstHold = DEFAULT_BURST_HOLD,
    now: () => number = () => performance.now(),
  ) {
    this.#limit = Math.max(1, Math.floor(limit));
    this.#hold = hold;
    this.#now = now;
  }

  /** A signal arrived (an Alertmanager notification): two within `quietMs` make a burst. */
  arrived(): void {
    const now = this.#now();
    const close = now - this.#lastArrival < this.#hold.quietMs;
    if (!close) {
      this.#inBurst = false;
      this.#burstStart = now;
    } else this.#inBurst = true;
    this.#lastArrival = now;
  }

  /** How long new work still waits for the burst to pause (0: it may start). */
  #held(): number {
    if (!this.#inBurst) return 0;
    const now = this.#now();
    const quiet = this.#hold.quietMs - (now - this.#lastArrival);
    const cap = this.#hold.maxHoldMs - (now - this.#burstStart);
    if (quiet <= 0 || cap <= 0) return 0;
    return Math.min(quiet, cap);
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
    const held = this.#waiting.length === 0 ? 0 : this.#held();
    if (held > 0) {
      // One timer at a time: it pumps again when the hold may be over.
      if (this.#wake === undefined)
        this.#wake = setTimeout(() => {
          this.#wake = undefined;
          this.#pump();
        }, Math.ceil(held));
      return;
    }
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

import type { FlowDeps, Logger } from "../flows/deps.js";
import { verificationTick, type TickResult } from "../flows/verification-tick.js";
import type { Store, VerificationRecord } from "../store/store.js";
import { nextEvaluationAt } from "../verification/next-evaluation-at.js";

/** The clock and timers, injectable so tests drive the schedule without waiting. */
export interface SchedulerTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface VerificationSchedulerOptions {
  store: Store;
  /** Ports for one verification (its installation's forge, the repository's health sources). */
  depsFor: (record: VerificationRecord) => Promise<FlowDeps>;
  log: Logger;
  timers?: SchedulerTimers;
  /** First retry delay after a failed tick, doubled per consecutive failure up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Called after every tick that ran (for tests, benchmarks and metrics). */
  onTick?: (result: TickResult) => void;
  /**
   * With several replicas on one store: each verification is evaluated only by the replica holding
   * its lease (`verify:<id>`, `ttlMs` long, renewed every third of it while held). The others look
   * again every half lease (or interval, if shorter), so a replica that dies loses its leases within
   * `ttlMs` and another takes over at its next look; and every `ttlMs` each replica re-reads the store
   * for verifications another replica started.
   */
  lease?: { ttlMs: number };
}

interface Entry {
  handle: unknown;
  running: boolean;
  failures: number;
}

const realTimers: SchedulerTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // Pending evaluations must not keep a process alive that is otherwise shutting down.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
};

function leaseKey(id: string): string {
  return `verify:${id}`;
}

// Node's timers overflow above 2^31-1 ms (about 24.8 days) and fire at once; re-arm in steps instead.
const MAX_DELAY_MS = 2_147_483_647;

/**
 * Runs verifications in flight: one timer per record, armed at its next evaluation time (a past time
 * means now). The store is the source of truth, so each tick reads the freshest record, and a process
 * started later (after a crash or a deploy) picks up where the last one stopped. A tick that throws is
 * logged and retried with backoff; one verification's trouble never stops the others or the process.
 */
export class VerificationScheduler {
  readonly #store: Store;
  readonly #depsFor: (record: VerificationRecord) => Promise<FlowDeps>;
  readonly #log: Logger;
  readonly #timers: SchedulerTimers;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  readonly #onTick: ((result: TickResult) => void) | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #lease: { ttlMs: number } | undefined;
  /** Lease tokens this replica holds, by verification id. */
  readonly #held = new Map<string, string>();
  #heartbeat: unknown = null;
  #stopped = false;

  constructor(options: VerificationSchedulerOptions) {
    this.#store = options.store;
    this.#depsFor = options.depsFor;
    this.#log = options.log;
    this.#timers = options.timers ?? realTimers;
    this.#retryMs = options.retryMs ?? 5_000;
    this.#maxRetryMs = options.maxRetryMs ?? 5 * 60_000;
    this.#onTick = options.onTick;
    this.#lease = options.lease;
  }

  /** Resumes every verification the store holds. */
  async start(): Promise<number> {
    this.#stopped = false;
    const records = await this.#store.listVerifications();
    for (const record of records) this.track(record);
    this.#log.info({ verifications: records.length }, "verification scheduler started");
    if (this.#lease !== undefined) this.#beat(this.#lease.ttlMs);
    return records.length;
  }

  /** Schedules a verification (new, or known already: then its timer is re-armed from this record). */
  track(record: VerificationRecord): void {
    if (this.#stopped) return;
    const at = nextEvaluationAt(record.verdict);
    if (at === null) return;
    const entry = this.#entry(record.id);
    // A tick in progress re-arms the timer itself when it ends; arming one now would overlap it.
    if (entry.running) return;
    this.#arm(record.id, entry, Date.parse(at));
  }

  /** Verifications currently scheduled or running. */
  get size(): number {
    return this.#entries.size;
  }

  /** Verifications whose lease this replica holds (the ones it evaluates). */
  get leased(): number {
    return this.#held.size;
  }

  stop(): void {
    this.#stopped = true;
    for (const entry of this.#entries.values()) this.#clear(entry);
    this.#entries.clear();
    if (this.#heartbeat !== null) this.#timers.clearTimeout(this.#heartbeat);
    this.#heartbeat = null;
    // Handing leases back lets another replica take over at its next look instead of after a TTL.
    for (const [id, token] of this.#held)
      void this.#store.release(leaseKey(id), token).catch(() => undefined);
    this.#held.clear();
  }

  /** Renews held leases every third of the TTL, and re-reads the store every TTL for new verifications. */
  #beat(ttlMs: number, sinceRescan = 0): void {
    const every = Math.max(50, Math.floor(ttlMs / 3));
    this.#heartbeat = this.#timers.setTimeout(() => {
      void (async () => {
        if (this.#stopped) return;
        for (const [id, token] of [...this.#held]) {
          const kept = await this.#store.renew(leaseKey(id), token, ttlMs).catch(() => false);
          if (!kept && this.#held.get(id) === token) this.#held.delete(id);
        }
        let elapsed = sinceRescan + every;
        if (elapsed >= ttlMs) {
          elapsed = 0;
          const records = await this.#store.listVerifications().catch(() => []);
          for (const record of records) if (!this.#entries.has(record.id)) this.track(record);
        }
        if (!this.#stopped) this.#beat(ttlMs, elapsed);
      })();
    }, every);
  }

  /**
   * True when this replica may evaluate `record` now: it holds (or just took) its lease. Without
   * leases (one process), always.
   */
  async #holdLease(record: VerificationRecord): Promise<boolean> {
    if (this.#lease === undefined) return true;
    const key = leaseKey(record.id);
    const token = this.#held.get(record.id);
    if (token !== undefined && (await this.#store.renew(key, token, this.#lease.ttlMs))) return true;
    this.#held.delete(record.id);
    const taken = await this.#store.lock(key, this.#lease.ttlMs);
    if (taken === null) return false;
    this.#held.set(record.id, taken);
    return true;
  }

  #dropLease(id: string): void {
    const token = this.#held.get(id);
    if (token === undefined) return;
    this.#held.delete(id);
    void this.#store.release(leaseKey(id), token).catch(() => undefined);
  }

  #entry(id: string): Entry {
    let entry = this.#entries.get(id);
    if (entry === undefined) {
      entry = { handle: null, running: false, failures: 0 };
      this.#entries.set(id, entry);
    }
    return entry;
  }

  #arm(id: string, entry: Entry, atMs: number): void {
    this.#clear(entry);
    const delay = Math.max(0, atMs - this.#timers.now());
    entry.handle = this.#timers.setTimeout(
      () => {
        entry.handle = null;
        if (delay > MAX_DELAY_MS) this.#arm(id, entry, atMs);
        else void this.#run(id, entry);
      },
      Math.min(delay, MAX_DELAY_MS),
    );
  }

  #clear(entry: Entry): void {
    if (entry.handle !== null) this.#timers.clearTimeout(entry.handle);
    entry.handle = null;
  }

  async #run(id: string, entry: Entry): Promise<void> {
    if (this.#stopped || entry.running || this.#entries.get(id) !== entry) return;
    entry.running = true;
    let nextAt: number | null = null;
    try {
      // Fresh from the store: another tick (or another replica) may have moved it on or finished it.
      const record = await this.#store.getVerification(id);
      const at = record === null ? null : nextEvaluationAt(record.verdict);
      if (record === null || at === null) {
        nextAt = null;
        this.#dropLease(id);
      } else if (Date.parse(at) > this.#timers.now()) {
        // Woken early (the record moved on elsewhere): wait for its own time rather than judge the future.
        nextAt = Date.parse(at);
      } else if (!(await this.#holdLease(record))) {
        // Another replica evaluates it; look again soon, to take over if that replica goes away.
        const ttlMs = this.#lease?.ttlMs ?? 0;
        nextAt =
          this.#timers.now() + Math.max(50, Math.min(ttlMs / 2, record.plan.verify.intervalSeconds * 1000));
      } else {
        const result = await verificationTick(await this.#depsFor(record), record);
        entry.failures = 0;
        this.#onTick?.(result);
        if (result.done) {
          this.#log.info(
            {
              verification: id,
              pr: record.pr,
              outcome: result.record.verdict.outcome,
              revert: result.revert?.status ?? null,
            },
            "verification finished",
          );
        }
        const next = result.done ? null : nextEvaluationAt(result.record.verdict);
        nextAt = next === null ? null : Date.parse(next);
        if (result.done) this.#dropLease(id);
      }
    } catch (error) {
      entry.failures += 1;
      const delay = Math.min(this.#maxRetryMs, this.#retryMs * 2 ** (entry.failures - 1));
      this.#log.error(
        { err: error, verification: id, failures: entry.failures, retryInMs: delay },
        "verification tick failed",
      );
      nextAt = this.#timers.now() + delay;
    } finally {
      entry.running = false;
    }
    if (this.#stopped || this.#entries.get(id) !== entry) return;
    if (nextAt === null) this.#entries.delete(id);
    else this.#arm(id, entry, nextAt);
  }
}

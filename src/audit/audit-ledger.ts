import { chainEntry } from "./chain-entry.js";
import { GENESIS, type AuditEvent, type LedgerEntry } from "./ledger-entry.js";
import type { LedgerBackend } from "./ledger-backend.js";
import { ParsedLedgers } from "./parsed-ledgers.js";
import { serializeLedger } from "./serialize-ledger.js";
import { trailersFor } from "./trailers-for.js";
import { VerifiedLedgers } from "./verified-ledgers.js";

export interface AuditLedgerOptions {
  /** Load-chain-store rounds before giving up when other writers keep winning. Default 8. */
  maxAttempts?: number;
  /** Injected for tests; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /**
   * The ledger texts already verified in this process (shared by every AuditLedger of the process),
   * so an append checks only the lines added since; each AuditLedger keeps its own when absent.
   */
  verified?: VerifiedLedgers;
  /** Likewise the ledger texts already read (`entries`), so a read parses only the lines added since. */
  parsed?: ParsedLedgers;
  /**
   * Runs each append (load, chain, store) in its turn with every other AuditLedger of this process
   * on the same ledger, so the work items of one process do not race each other for the head (each
   * lost race uploads the whole ledger and reads it back). Without it, only this instance's own
   * appends take turns; the compare-and-swap settles every other race either way.
   */
  exclusive?: <T>(task: () => Promise<T>) => Promise<T>;
}

export class AuditLedgerError extends Error {
  override name = "AuditLedgerError";
}

/**
 * Appends to the hash-chained ledger through a compare-and-swap backend: load, chain after the
 * current last entry, store only if nobody else stored in between, otherwise reload and chain again.
 * Appends from this instance run one at a time, so they never race each other; races with other
 * replicas are settled by the backend's CAS.
 */
export class AuditLedger {
  readonly #backend: LedgerBackend;
  readonly #maxAttempts: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #verified: VerifiedLedgers;
  readonly #parsed: ParsedLedgers;
  readonly #exclusive: <T>(task: () => Promise<T>) => Promise<T>;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(backend: LedgerBackend, opts: AuditLedgerOptions = {}) {
    this.#backend = backend;
    this.#maxAttempts = Math.max(1, opts.maxAttempts ?? 8);
    this.#sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = opts.random ?? Math.random;
    this.#verified = opts.verified ?? new VerifiedLedgers(1);
    this.#parsed = opts.parsed ?? new ParsedLedgers(1);
    this.#exclusive = opts.exclusive ?? ((task) => task());
  }

  /**
   * Appends the events in order and returns the entries as stored. Their hashes are final only once
   * this resolves (a lost race re-chains them), so commit trailers must name these, not hashes
   * computed beforehand.
   */
  append(events: readonly AuditEvent[]): Promise<LedgerEntry[]> {
    const run = this.#queue.then(() => this.#exclusive(() => this.#appendNow(events)));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async head(): Promise<string> {
    return (await this.entries()).at(-1)?.hash ?? GENESIS;
  }

  async entries(): Promise<LedgerEntry[]> {
    const { text } = await this.#backend.load();
    const { entries, errors } = this.#parsed.parse(text);
    const first = errors[0];
    if (first !== undefined) throw new AuditLedgerError(`ledger.jsonl line ${first.line}: ${first.reason}`);
    return entries;
  }

  async #appendNow(events: readonly AuditEvent[]): Promise<LedgerEntry[]> {
    if (events.length === 0) return [];
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt += 1) {
      const { text, version } = await this.#backend.load();
      // Appending to a broken chain would make the break look like history, so refuse and say where.
      const chain = this.#verified.check(text);
      if (!chain.ok) {
        const where = chain.seq === null ? `line ${chain.line}` : `seq ${chain.seq}`;
        throw new AuditLedgerError(
          `refusing to append: the audit ledger is broken at ${where}: ${chain.reason}`,
        );
      }
      let last = chain.point.last;
      const appended: LedgerEntry[] = [];
      for (const event of events) {
        last = chainEntry(last, event);
        appended.push(last);
      }
      // Existing lines are kept byte for byte; only the new lines are serialised.
      const base = text === "" || text.endsWith("\n") ? text : `${text}\n`;
      const outcome = await this.#backend.store(
        base + serializeLedger(appended),
        version,
        commitMessage(appended),
      );
      if (outcome === "stored") return appended;
      if (attempt < this.#maxAttempts) await this.#sleep(backoff(attempt, this.#random));
    }
    throw new AuditLedgerError(
      `audit append lost the race ${this.#maxAttempts} times in a row; another writer keeps moving remedy-audit`,
    );
  }
}

function commitMessage(entries: readonly LedgerEntry[]): string {
  const first = entries[0]?.seq ?? 0;
  const last = entries.at(-1)?.seq ?? first;
  const seqs = first === last ? `seq ${first}` : `seq ${first}-${last}`;
  const kinds = [...new Set(entries.map((entry) => entry.kind))].join(", ");
  return `audit: ${kinds} (${seqs})\n\n${trailersFor({ audit: entries.map((entry) => entry.hash) })}\n`;
}

// Jittered so that two replicas that collided do not collide again on the retry.
function backoff(attempt: number, random: () => number): number {
  const ceiling = Math.min(250, 10 * 2 ** attempt);
  return Math.round(ceiling * (0.5 + random() / 2));
}

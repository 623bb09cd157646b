import { UrgentTurns } from "./urgent-turns.js";
import { currentUrgency } from "./write-lane.js";

/**
 * One audit append at a time per ledger in this process (AuditLedger's `exclusive`), the most
 * urgent waiting work's next (critical before warning, then the oldest, as in the write lanes).
 * Concurrent work items of one replica would otherwise race for the `remedy-audit` head, and each
 * lost race costs an upload of the whole ledger and a read of it back: in a storm of 50 incidents,
 * most of the replicas' CPU. Replicas still race each other; the compare-and-swap settles that.
 */
export class LedgerTurns {
  readonly #turns = new UrgentTurns();

  /** Runs `task` when it is its turn on ledger `key`. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.#turns.take(key, currentUrgency(), () => task());
  }
}

import type { WorkItem } from "./work-item.js";

/**
 * Accepted work waiting to be done. An item is stored before the sender is answered and removed when
 * its flow finishes. Each item is leased to the replica working on it: the replica renews its leases
 * while it works, and an item whose lease lapsed (its replica died) is taken over by another, so
 * accepted work outlives any one process. An item that failed for a reason a retry could cure stays,
 * with its attempt count and the time before which it must not run again; whichever replica holds
 * it (after a restart or a takeover, another one) waits until then. The embedded inbox is one process's: there the lease is the
 * process itself, and a restart takes over everything it left.
 */
export interface Inbox {
  /** Stores the item, leased to this replica. */
  put(item: Omit<WorkItem, "id">): Promise<WorkItem>;
  /**
   * Stores the item only if it wins at least one of the dedupe claims `keys` (each held for
   * `ttlSeconds`), recording the ones it won as its `claims`; answers the stored item, or null when
   * every claim was already held (a duplicate: nothing is stored). The item is never claimed without
   * being stored, so a crash cannot leave a claim whose re-send would be answered "duplicate" while
   * the work is lost. `claim` is the store's own claim; an inbox on the store's backend may take the
   * claims and store the item in one atomic round trip instead.
   */
  putClaimed(
    item: Omit<WorkItem, "id" | "claims">,
    keys: readonly string[],
    ttlSeconds: number,
    claim: (key: string, ttlSeconds: number) => Promise<boolean>,
  ): Promise<WorkItem | null>;
  /**
   * Rewrites a pending item under its id, keeping its lease: its attempt count, not-before time and
   * claims, so a retry schedule outlives the process. An item already removed stays removed.
   */
  save(item: WorkItem): Promise<void>;
  /** Done (or dropped for good): the item and its lease go. */
  remove(id: string): Promise<void>;
  /** Every pending item, oldest first. */
  list(): Promise<WorkItem[]>;
  /** Extends this replica's leases on the items it holds. */
  renew(): Promise<void>;
  /** Items whose lease lapsed, oldest first, now leased to this replica (at most `limit`). */
  takeOver(limit?: number): Promise<WorkItem[]>;
  /** How many items are pending, across replicas. */
  depth(): Promise<number>;
}

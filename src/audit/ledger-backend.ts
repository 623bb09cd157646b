/**
 * Where the ledger text lives. `store` is a compare-and-swap: it writes only if the ledger is still
 * at `expectedVersion` (null: no ledger yet) and answers "conflict" otherwise, which is how two
 * replicas appending at once both land, one after the other, without either overwriting the other.
 */
export interface LedgerBackend {
  load(): Promise<{ text: string; version: string | null }>;
  store(text: string, expectedVersion: string | null, message: string): Promise<"stored" | "conflict">;
}

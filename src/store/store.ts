import type { Plan } from "../proposal/plan.js";
import type { VerdictState } from "../verification/verdict-state.js";
import { newLockToken } from "./new-lock-token.js";

/** A verification in flight: enough to resume it after a restart without asking anyone. */
export interface VerificationRecord {
  id: string;
  repo: string;
  installationId: number | null;
  pr: number;
  mergeSha: string;
  checkRunId: number | null;
  incident: number | null;
  plan: Plan;
  /** Figures at diagnosis, for the before/after comment. */
  before: Record<string, number | null>;
  verdict: VerdictState;
}

/**
 * Durable state. `claim` is an atomic first-writer-wins mark used for idempotency (delivery ids,
 * alert fingerprints). `lock` is a lease with an owner: it expires unless its holder renews it, so a
 * replica that dies mid-work frees what it held (alert groups, fields, verifications) within one TTL.
 * The embedded file store, the in-memory store and the Redis store implement the same contract
 * (test/store/store-contract.ts).
 */
export interface Store {
  claim(key: string, ttlSeconds: number): Promise<boolean>;
  /**
   * Gives a claim back before its TTL: the next `claim` of `key` wins. For work that was accepted but
   * could not be done, so a re-send or redelivery of the same signal is tried again.
   */
  unclaim(key: string): Promise<void>;
  /** Takes the lease on `key` for `ttlMs`; its token, or null while someone else holds it. */
  lock(key: string, ttlMs: number): Promise<string | null>;
  /** Extends a lease still held with `token`; false when it lapsed or another holder took it. */
  renew(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Gives a lease back early; a lease held by another token is left alone. */
  release(key: string, token: string): Promise<void>;
  /** Resolves when the store answers (readiness); rejects with the reason otherwise. */
  ping(): Promise<void>;
  saveVerification(record: VerificationRecord): Promise<void>;
  getVerification(id: string): Promise<VerificationRecord | null>;
  listVerifications(): Promise<VerificationRecord[]>;
  deleteVerification(id: string): Promise<void>;
}

export class MemoryStore implements Store {
  private readonly claims = new Map<string, number>();
  private readonly locks = new Map<string, { token: string; until: number }>();
  private readonly verifications = new Map<string, VerificationRecord>();
  constructor(private readonly now: () => number = Date.now) {}

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const until = this.claims.get(key);
    if (until !== undefined && until > this.now()) return false;
    this.claims.set(key, this.now() + ttlSeconds * 1000);
    return true;
  }
  async unclaim(key: string): Promise<void> {
    this.claims.delete(key);
  }
  async lock(key: string, ttlMs: number): Promise<string | null> {
    const held = this.locks.get(key);
    if (held !== undefined && held.until > this.now()) return null;
    const token = newLockToken();
    this.locks.set(key, { token, until: this.now() + ttlMs });
    return token;
  }
  async renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    const held = this.locks.get(key);
    if (held === undefined || held.token !== token || held.until <= this.now()) return false;
    held.until = this.now() + ttlMs;
    return true;
  }
  async release(key: string, token: string): Promise<void> {
    if (this.locks.get(key)?.token === token) this.locks.delete(key);
  }
  async ping(): Promise<void> {}
  async saveVerification(record: VerificationRecord): Promise<void> {
    this.verifications.set(record.id, structuredClone(record));
  }
  async getVerification(id: string): Promise<VerificationRecord | null> {
    const record = this.verifications.get(id);
    return record === undefined ? null : structuredClone(record);
  }
  async listVerifications(): Promise<VerificationRecord[]> {
    return [...this.verifications.values()].map((r) => structuredClone(r));
  }
  async deleteVerification(id: string): Promise<void> {
    this.verifications.delete(id);
  }
}

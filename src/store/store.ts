import type { Plan } from "../proposal/plan.js";
import type { VerdictState } from "../verification/verdict-state.js";

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
 * alert fingerprints); the embedded file store and the in-memory store both implement it.
 */
export interface Store {
  claim(key: string, ttlSeconds: number): Promise<boolean>;
  /** Gives a claim up before it expires (a lock's holder is done). Releasing a free key is a no-op. */
  release(key: string): Promise<void>;
  saveVerification(record: VerificationRecord): Promise<void>;
  getVerification(id: string): Promise<VerificationRecord | null>;
  listVerifications(): Promise<VerificationRecord[]>;
  deleteVerification(id: string): Promise<void>;
}

export class MemoryStore implements Store {
  private readonly claims = new Map<string, number>();
  private readonly verifications = new Map<string, VerificationRecord>();
  constructor(private readonly now: () => number = Date.now) {}

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const until = this.claims.get(key);
    if (until !== undefined && until > this.now()) return false;
    this.claims.set(key, this.now() + ttlSeconds * 1000);
    return true;
  }
  async release(key: string): Promise<void> {
    this.claims.delete(key);
  }
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

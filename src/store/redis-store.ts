import type { Redis } from "ioredis";
import { newLockToken } from "./new-lock-token.js";
import type { Store, VerificationRecord } from "./store.js";

/** Renews a lease only for the token that holds it. */
const RENEW = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`;
/** Deletes a lease only for the token that holds it. */
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;

/** Where RedisStore keeps claims under `prefix`; the Redis inbox takes claims with its items there. */
export function claimKeyPrefix(prefix: string): string {
  return `${prefix}claim:`;
}

/**
 * The store several replicas share (`REDIS_URL`). Claims and leases are single atomic commands
 * (SET NX EX / SET NX PX) or Lua scripts that check the holder's token, so two replicas can never both
 * win; verifications are one hash of JSON records. Keys live under `prefix` (default `remedy:`).
 */
export class RedisStore implements Store {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix = "remedy:") {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const set = await this.#redis.set(
      `${claimKeyPrefix(this.#prefix)}${key}`,
      "1",
      "EX",
      Math.max(1, Math.ceil(ttlSeconds)),
      "NX",
    );
    return set === "OK";
  }

  async unclaim(key: string): Promise<void> {
    await this.#redis.del(`${claimKeyPrefix(this.#prefix)}${key}`);
  }

  async lock(key: string, ttlMs: number): Promise<string | null> {
    const token = newLockToken();
    const set = await this.#redis.set(this.#lockKey(key), token, "PX", Math.max(1, Math.ceil(ttlMs)), "NX");
    return set === "OK" ? token : null;
  }

  async renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    const renewed = await this.#redis.eval(
      RENEW,
      1,
      this.#lockKey(key),
      token,
      Math.max(1, Math.ceil(ttlMs)),
    );
    return Number(renewed) === 1;
  }

  async release(key: string, token: string): Promise<void> {
    await this.#redis.eval(RELEASE, 1, this.#lockKey(key), token);
  }

  async ping(): Promise<void> {
    const answer = await this.#redis.ping();
    if (answer !== "PONG") throw new Error(`Redis answered PING with ${answer}`);
  }

  async saveVerification(record: VerificationRecord): Promise<void> {
    await this.#redis.hset(this.#verifications(), record.id, JSON.stringify(record));
  }

  async getVerification(id: string): Promise<VerificationRecord | null> {
    return parse(await this.#redis.hget(this.#verifications(), id));
  }

  async listVerifications(): Promise<VerificationRecord[]> {
    const all = await this.#redis.hvals(this.#verifications());
    return all.map(parse).filter((r): r is VerificationRecord => r !== null);
  }

  async deleteVerification(id: string): Promise<void> {
    await this.#redis.hdel(this.#verifications(), id);
  }

  #lockKey(key: string): string {
    return `${this.#prefix}lock:${key}`;
  }

  #verifications(): string {
    return `${this.#prefix}verifications`;
  }
}

function parse(json: string | null): VerificationRecord | null {
  if (json === null) return null;
  try {
    return JSON.parse(json) as VerificationRecord;
  } catch {
    return null;
  }
}

import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { claimKeyPrefix } from "../store/redis-store.js";
import type { Inbox } from "./inbox.js";
import type { WorkItem } from "./work-item.js";

/** Extends the leases that `owner` still holds; answers the ids it no longer holds. */
const RENEW = `
local lost = {}
for i = 3, #ARGV do
  if redis.call("HGET", KEYS[2], ARGV[i]) == ARGV[1] then
    redis.call("ZADD", KEYS[1], "XX", ARGV[2], ARGV[i])
  else
    table.insert(lost, ARGV[i])
  end
end
return lost`;

/** Leases every item whose lease lapsed by ARGV[1] to ARGV[3] until ARGV[2]; answers their JSON. */
const TAKE_OVER = `
local ids = redis.call("ZRANGEBYSCORE", KEYS[1], "-inf", ARGV[1], "LIMIT", 0, ARGV[4])
local taken = {}
for _, id in ipairs(ids) do
  local json = redis.call("HGET", KEYS[3], id)
  if json then
    redis.call("ZADD", KEYS[1], ARGV[2], id)
    redis.call("HSET", KEYS[2], id, ARGV[3])
    table.insert(taken, json)
  else
    redis.call("ZREM", KEYS[1], id)
    redis.call("HDEL", KEYS[2], id)
  end
end
return taken`;

/**
 * Takes the claims KEYS[4..] (SET NX EX ARGV[5]) and, when at least one was won, stores the item
 * ARGV[2] under ARGV[1] leased to ARGV[4] until ARGV[3]; answers the 1-based indexes of the claims won.
 * One script: the claims and the item are written together or not at all.
 */
// ARGV[2] is the item's JSON without its closing brace, ARGV[6…] each claim JSON-encoded: the item is
// stored holding exactly the claims won, in this one script, so no crash after it leaves an item that
// would give back a claim another item holds.
const PUT_CLAIMED = `
local won = {}
local names = {}
for i = 4, #KEYS do
  if redis.call("SET", KEYS[i], "1", "EX", ARGV[5], "NX") then
    table.insert(won, i - 3)
    table.insert(names, ARGV[i + 2])
  end
end
if #won == 0 then return won end
redis.call("HSET", KEYS[1], ARGV[1], ARGV[2] .. ',"claims":[' .. table.concat(names, ",") .. ']}')
redis.call("ZADD", KEYS[2], ARGV[3], ARGV[1])
redis.call("HSET", KEYS[3], ARGV[1], ARGV[4])
return won`;

/** Rewrites an item only while it is still stored, so a save racing a remove cannot resurrect it. */
const SAVE = `
if redis.call("HEXISTS", KEYS[1], ARGV[1]) == 1 then
  redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0`;

export interface RedisInboxOptions {
  /** This replica's name in the lease table. */
  owner: string;
  /** How long a lease lasts unless renewed. */
  leaseMs: number;
  prefix?: string;
  now?: () => number;
}

/**
 * The inbox several replicas share: items in one hash, leases in a sorted set scored by expiry, the
 * holder of each lease in another hash. Taking over lapsed leases is one Lua script, so a dead
 * replica's item goes to exactly one of the others.
 */
export class RedisInbox implements Inbox {
  readonly #redis: Redis;
  readonly #owner: string;
  readonly #leaseMs: number;
  readonly #now: () => number;
  readonly #items: string;
  readonly #leases: string;
  readonly #owners: string;
  readonly #held = new Set<string>();
  readonly #claimPrefix: string;

  constructor(redis: Redis, options: RedisInboxOptions) {
    this.#redis = redis;
    this.#owner = options.owner;
    this.#leaseMs = options.leaseMs;
    this.#now = options.now ?? Date.now;
    const prefix = options.prefix ?? "remedy:";
    this.#items = `${prefix}inbox:items`;
    this.#leases = `${prefix}inbox:leases`;
    this.#owners = `${prefix}inbox:owners`;
    this.#claimPrefix = claimKeyPrefix(prefix);
  }

  async put(item: Omit<WorkItem, "id">): Promise<WorkItem> {
    // Time first, so items sort in arrival order.
    const stored: WorkItem = { id: `${this.#now().toString().padStart(15, "0")}-${randomUUID()}`, ...item };
    this.#held.add(stored.id);
    await this.#redis
      .multi()
      .hset(this.#items, stored.id, JSON.stringify(stored))
      .zadd(this.#leases, this.#now() + this.#leaseMs, stored.id)
      .hset(this.#owners, stored.id, this.#owner)
      .exec()
      .then(failedStep);
    return stored;
  }

  /**
   * One round trip: the claims (the same keys RedisStore.claim takes, so `claim` is not needed) and
   * the item in one script, which stores it holding exactly the claims it won (all, or in the rare
   * race some), so nothing after the script can leave it holding a claim it did not win.
   */
  async putClaimed(
    item: Omit<WorkItem, "id" | "claims">,
    keys: readonly string[],
    ttlSeconds: number,
  ): Promise<WorkItem | null> {
    const stored: Omit<WorkItem, "claims"> = {
      id: `${this.#now().toString().padStart(15, "0")}-${randomUUID()}`,
      ...item,
    };
    this.#held.add(stored.id);
    const won = (await this.#redis
      .eval(
        PUT_CLAIMED,
        3 + keys.length,
        this.#items,
        this.#leases,
        this.#owners,
        ...keys.map((key) => `${this.#claimPrefix}${key}`),
        stored.id,
        JSON.stringify(stored).slice(0, -1),
        this.#now() + this.#leaseMs,
        this.#owner,
        Math.max(1, Math.ceil(ttlSeconds)),
        ...keys.map((key) => JSON.stringify(key)),
      )
      .catch((error: unknown) => {
        this.#held.delete(stored.id);
        throw error;
      })) as number[];
    if (won.length === 0) {
      this.#held.delete(stored.id);
      return null;
    }
    return { ...stored, claims: won.map((i) => keys[i - 1] as string) };
  }

  async save(item: WorkItem): Promise<void> {
    await this.#redis.eval(SAVE, 1, this.#items, item.id, JSON.stringify(item));
  }

  async remove(id: string): Promise<void> {
    await this.#redis
      .multi()
      .hdel(this.#items, id)
      .zrem(this.#leases, id)
      .hdel(this.#owners, id)
      .exec()
      .then(failedStep);
    this.#held.delete(id);
  }

  async list(): Promise<WorkItem[]> {
    const all = (await this.#redis.hvals(this.#items)).map(parse).filter((i): i is WorkItem => i !== null);
    return all.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async renew(): Promise<void> {
    if (this.#held.size === 0) return;
    const lost = (await this.#redis.eval(
      RENEW,
      2,
      this.#leases,
      this.#owners,
      this.#owner,
      this.#now() + this.#leaseMs,
      ...this.#held,
    )) as string[];
    for (const id of lost) this.#held.delete(id);
  }

  async takeOver(limit = 100): Promise<WorkItem[]> {
    const now = this.#now();
    const taken = (await this.#redis.eval(
      TAKE_OVER,
      3,
      this.#leases,
      this.#owners,
      this.#items,
      now,
      now + this.#leaseMs,
      this.#owner,
      Math.max(1, Math.min(limit, 1000)),
    )) as string[];
    const items = taken.map(parse).filter((i): i is WorkItem => i !== null);
    for (const item of items) this.#held.add(item.id);
    return items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async depth(): Promise<number> {
    return this.#redis.hlen(this.#items);
  }
}

function parse(json: string): WorkItem | null {
  try {
    return JSON.parse(json) as WorkItem;
  } catch {
    return null;
  }
}

function failedStep(results: Array<[Error | null, unknown]> | null): void {
  const failed = results?.find(([error]) => error !== null)?.[0];
  if (failed) throw failed;
  if (results === null) throw new Error("Redis discarded the inbox transaction");
}

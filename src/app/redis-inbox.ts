import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
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

  constructor(redis: Redis, options: RedisInboxOptions) {
    this.#redis = redis;
    this.#owner = options.owner;
    this.#leaseMs = options.leaseMs;
    this.#now = options.now ?? Date.now;
    const prefix = options.prefix ?? "remedy:";
    this.#items = `${prefix}inbox:items`;
    this.#leases = `${prefix}inbox:leases`;
    this.#owners = `${prefix}inbox:owners`;
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

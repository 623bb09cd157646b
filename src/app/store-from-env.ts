import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { Logger } from "../flows/deps.js";
import { FileStore } from "../store/file-store.js";
import { RedisStore } from "../store/redis-store.js";
import type { Store } from "../store/store.js";
import type { Inbox } from "./inbox.js";
import { RedisInbox } from "./redis-inbox.js";
import type { RemedyEnv } from "./remedy-env.js";
import { WorkInbox } from "./work-inbox.js";

export interface StateBackend {
  store: Store;
  inbox: Inbox;
  /** True when other replicas share this state (Redis): leases and take-over matter then. */
  shared: boolean;
  close(): Promise<void>;
}

/**
 * The durable state for this process: the embedded file store under REMEDY_DATA_DIR by default, or
 * with REDIS_URL the Redis that every replica shares.
 */
export function storeFromEnv(env: RemedyEnv, log: Logger): StateBackend {
  if (env.redisUrl === null)
    return {
      store: new FileStore(env.dataDir),
      inbox: new WorkInbox(env.dataDir),
      shared: false,
      close: async () => undefined,
    };
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: 2, connectTimeout: 5_000 });
  let lastError = 0;
  redis.on("error", (error: Error) => {
    // ioredis reconnects by itself; say so once a minute, not once per attempt.
    if (Date.now() - lastError < 60_000) return;
    lastError = Date.now();
    log.error({ err: error }, "Redis connection trouble; retrying");
  });
  const owner = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  return {
    store: new RedisStore(redis),
    inbox: new RedisInbox(redis, { owner, leaseMs: env.leaseMs }),
    shared: true,
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

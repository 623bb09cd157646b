import type { Store } from "../store/store.js";

export interface LockOptions {
  /** The lease's length; it is renewed every third of it while `run` works. */
  ttlMs?: number;
  /** How long to wait for another holder before giving up with an error. */
  waitMs?: number;
}

/**
 * Runs `run` holding the store's lease on `key`, so one replica at a time does it (one incident
 * issue per alert group, one PR per field). A holder that dies frees the key when its lease lapses.
 * `run` learns whether it had to wait: then another holder may have just changed what it read before.
 */
export async function withLock<T>(
  store: Store,
  key: string,
  run: (waited: boolean) => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const ttlMs = options.ttlMs ?? 30_000;
  const waitMs = options.waitMs ?? 120_000;
  const until = Date.now() + waitMs;
  let token = await store.lock(key, ttlMs);
  const waited = token === null;
  for (let pause = 20; token === null; pause = Math.min(pause * 2, 250)) {
    if (Date.now() > until)
      throw new Error(
        `${key} stayed locked by another Remedy worker for ${Math.round(waitMs / 1000)} s; the work will be retried`,
      );
    await new Promise((resolve) => setTimeout(resolve, pause));
    token = await store.lock(key, ttlMs);
  }
  const held = token;
  const heartbeat = setInterval(() => void store.renew(key, held, ttlMs).catch(() => undefined), ttlMs / 3);
  heartbeat.unref();
  try {
    return await run(waited);
  } finally {
    clearInterval(heartbeat);
    await store.release(key, held).catch(() => undefined);
  }
}

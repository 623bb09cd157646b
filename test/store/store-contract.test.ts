import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe } from "vitest";
import { FileStore } from "../../src/store/file-store.js";
import { RedisStore } from "../../src/store/redis-store.js";
import { MemoryStore } from "../../src/store/store.js";
import { RealRedis, redisServerBinary } from "./real-redis.js";
import { storeContract } from "./store-contract.js";

describe("Store contract: FileStore", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  storeContract(async () => {
    const dir = await mkdtemp(join(tmpdir(), "remedy-store-"));
    dirs.push(dir);
    return { store: new FileStore(dir) };
  });
});

describe("Store contract: MemoryStore", () => {
  storeContract(async () => ({ store: new MemoryStore() }));
});

const binary = redisServerBinary();

describe.skipIf(binary === null)("Store contract: RedisStore (real redis-server)", () => {
  const redis = new RealRedis(binary ?? "redis-server");
  let n = 0;
  beforeAll(() => redis.start(), 20_000);
  afterAll(() => redis.stop());
  storeContract(async () => {
    // A prefix per test: one server, and every test starts empty.
    const prefix = `t${n++}:`;
    return {
      store: new RedisStore(redis.client(), prefix),
      second: () => new RedisStore(redis.client(), prefix),
    };
  });
});

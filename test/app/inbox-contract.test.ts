import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Inbox } from "../../src/app/inbox.js";
import { RedisInbox } from "../../src/app/redis-inbox.js";
import { WorkInbox } from "../../src/app/work-inbox.js";
import type { WorkItem } from "../../src/app/work-item.js";
import { RealRedis, redisServerBinary } from "../store/real-redis.js";

function item(n: number): Omit<WorkItem, "id"> {
  return {
    owner: "shop",
    repo: "gitops",
    installationId: 7,
    delivery: `d-${n}`,
    receivedAt: "2026-03-02T10:00:00Z",
    work: { kind: "recheck", pr: n, headSha: "a".repeat(40) },
  };
}

/**
 * What every Inbox must do about retries: a saved schedule (attempts, not-before time, claims) is
 * what the next holder reads, whether that is this process, a restarted one or another replica.
 * `fresh` gives an empty inbox; `restart` another handle on the same data, as after a restart or
 * from a second replica whose view begins empty.
 */
function inboxContract(fresh: () => Promise<{ inbox: Inbox; restart: () => Inbox }>): void {
  it("keeps a saved retry schedule for whoever holds the item next", async () => {
    const { inbox, restart } = await fresh();
    const stored = await inbox.put(item(1));
    const retry: WorkItem = {
      ...stored,
      attempts: 2,
      notBefore: 1_796_000_000_000,
      lastError: "GitHub answered 502: Bad Gateway",
      claims: ["delivery:d-1"],
    };
    await inbox.save(retry);
    expect(await inbox.list()).toEqual([retry]);
    const next = restart();
    expect(await next.takeOver(10)).toEqual([retry]);
    expect(await next.depth()).toBe(1);
  });

  it("does not bring back an item removed before its save landed", async () => {
    const { inbox } = await fresh();
    const stored = await inbox.put(item(2));
    await inbox.remove(stored.id);
    await inbox.save({ ...stored, attempts: 1, notBefore: 1 });
    expect(await inbox.list()).toEqual([]);
    expect(await inbox.depth()).toBe(0);
  });
}

describe("Inbox contract: WorkInbox (embedded)", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  inboxContract(async () => {
    const dir = await mkdtemp(join(tmpdir(), "remedy-inbox-"));
    dirs.push(dir);
    return { inbox: new WorkInbox(dir), restart: () => new WorkInbox(dir) };
  });
});

const binary = redisServerBinary();

describe.skipIf(binary === null)("Inbox contract: RedisInbox (real redis-server)", () => {
  const redis = new RealRedis(binary ?? "redis-server");
  let n = 0;
  beforeAll(() => redis.start(), 20_000);
  afterAll(() => redis.stop());
  it("putClaimed records only the claims it won, in the same script: a crash right after it never holds another's", async () => {
    const options = { leaseMs: 1, prefix: `p${n++}:` };
    const inbox = new RedisInbox(redis.client(), { ...options, owner: "replica-a" });
    const first = await inbox.putClaimed(item(3), ["alert:a", "alert:b"], 60);
    expect(first?.claims).toEqual(["alert:a", "alert:b"]);
    // The process dies as the script returns: nothing after it (a rewrite of the item) runs.
    inbox.save = () => Promise.reject(new Error("the process died"));
    const second = await inbox.putClaimed(item(4), ["alert:b", "alert:c"], 60).catch(() => null);
    const stored = await new RedisInbox(redis.client(), { ...options, owner: "replica-b" }).list();
    const again = stored.find((i) => i.delivery === "d-4");
    // Given up, it would give back only what it won: never "alert:b", which the first item holds.
    expect(again?.claims).toEqual(["alert:c"]);
    if (second !== null) expect(second.claims).toEqual(["alert:c"]);
  });

  inboxContract(async () => {
    const prefix = `i${n++}:`;
    // A lease of 1 ms: the second replica can take the item over at once, as after a crash.
    const options = { leaseMs: 1, prefix };
    return {
      inbox: new RedisInbox(redis.client(), { ...options, owner: "replica-a" }),
      restart: () => new RedisInbox(redis.client(), { ...options, owner: "replica-b" }),
    };
  });
});

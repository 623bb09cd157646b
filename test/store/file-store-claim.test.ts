import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileStore, UNREADABLE_CLAIM_GRACE_MS } from "../../src/store/file-store.js";
import type { Store } from "../../src/store/store.js";

let dir = "";
let now = 0;
const clock = () => now;
const store = (): Store => new FileStore(dir, clock);
const claimFile = (key: string) => join(dir, "claims", createHash("sha256").update(key).digest("hex"));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "remedy-store-"));
  now = Date.now();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("FileStore.claim through the Store port", () => {
  it("is first-writer-wins until it expires", async () => {
    const a = store();
    expect(await a.claim("incident:1", 600)).toBe(true);
    expect(await store().claim("incident:1", 600)).toBe(false);
    now += 601_000;
    expect(await store().claim("incident:1", 600)).toBe(true);
  });

  it("a claim taken over after expiry holds for its own ttl (it read back as NaN and every later claim won)", async () => {
    expect(await store().claim("incident:1", 600)).toBe(true);
    now += 601_000;
    expect(await store().claim("incident:1", 600)).toBe(true);
    expect(await store().claim("incident:1", 600)).toBe(false);
    now += 300_000;
    expect(await store().claim("incident:1", 600)).toBe(false);
    now += 301_000;
    expect(await store().claim("incident:1", 600)).toBe(true);
    expect(await store().claim("incident:1", 600)).toBe(false);
  });

  it("an empty claim left by a crash between create and write expires after a grace period", async () => {
    const s = store();
    expect(await s.claim("warm-up", 1)).toBe(true);
    await writeFile(claimFile("incident:2"), "");
    // Written "now" on the store's clock, which the test moves by hand.
    await utimes(claimFile("incident:2"), new Date(now), new Date(now));
    expect(await s.claim("incident:2", 600)).toBe(false);
    now += UNREADABLE_CLAIM_GRACE_MS + 1;
    expect(await s.claim("incident:2", 600)).toBe(true);
    expect(await s.claim("incident:2", 600)).toBe(false);
  });

  it("reads claims written by the older format, and garbage counts as unreadable", async () => {
    const s = store();
    expect(await s.claim("warm-up", 1)).toBe(true);
    await writeFile(claimFile("old"), `${now + 60_000}.123.abc`);
    expect(await s.claim("old", 600)).toBe(false);
    await writeFile(claimFile("junk"), "not a number");
    const long = new Date(now - UNREADABLE_CLAIM_GRACE_MS - 1000);
    await utimes(claimFile("junk"), long, long);
    expect(await s.claim("junk", 600)).toBe(true);
  });

  it("never leaves the claim file empty, and leaves no temp files behind", async () => {
    const s = store();
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.claim(`k${i % 5}`, 600)));
    now += 601_000;
    const winners = await Promise.all(Array.from({ length: 10 }, () => store().claim("k0", 600)));
    expect(winners.filter(Boolean)).toHaveLength(1);
    const files = await readdir(join(dir, "claims"));
    expect(files.every((f) => /^[0-9a-f]{64}$/.test(f))).toBe(true);
    for (const f of files) expect(await readFile(join(dir, "claims", f), "utf8")).toMatch(/^\d+ \S+\n$/);
  });

  it("one winner among concurrent first claims", async () => {
    const winners = await Promise.all(Array.from({ length: 10 }, () => store().claim("race", 600)));
    expect(winners.filter(Boolean)).toHaveLength(1);
  });
});

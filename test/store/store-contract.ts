import { expect, it } from "vitest";
import type { Store, VerificationRecord } from "../../src/store/store.js";

/** A small but complete record; the contract only cares that it round-trips. */
export function sampleRecord(id: string): VerificationRecord {
  return {
    id,
    repo: "shop/gitops",
    installationId: 7,
    pr: 12,
    mergeSha: "a".repeat(40),
    checkRunId: 99,
    incident: 3,
    plan: { service: "checkout-api" } as unknown as VerificationRecord["plan"],
    before: { error_rate: 0.3 },
    verdict: { outcome: null, evaluations: [] } as unknown as VerificationRecord["verdict"],
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What every Store must do, run against each implementation (file, memory, Redis). `fresh` gives a
 * new, empty store; `second` (when the store can be shared) gives another handle on the same data,
 * as a second replica would have.
 */
export function storeContract(fresh: () => Promise<{ store: Store; second?: () => Store }>): void {
  it("claims a key once until its TTL lapses", async () => {
    const { store } = await fresh();
    expect(await store.claim("delivery:1", 60)).toBe(true);
    expect(await store.claim("delivery:1", 60)).toBe(false);
    expect(await store.claim("delivery:2", 60)).toBe(true);
    expect(await store.claim("short", 1)).toBe(true);
    await sleep(1_100);
    expect(await store.claim("short", 1)).toBe(true);
  });

  it("gives a claim back with unclaim, so the next claimer wins; other keys keep theirs", async () => {
    const { store, second } = await fresh();
    const other = second?.() ?? store;
    expect(await store.claim("alert:a", 600)).toBe(true);
    expect(await store.claim("alert:b", 600)).toBe(true);
    expect(await other.claim("alert:a", 600)).toBe(false);
    await store.unclaim("alert:a");
    expect(await other.claim("alert:a", 600)).toBe(true);
    expect(await store.claim("alert:a", 600)).toBe(false);
    expect(await store.claim("alert:b", 600)).toBe(false);
    // Unclaiming a key nobody holds is harmless.
    await store.unclaim("never-claimed");
    expect(await store.claim("never-claimed", 600)).toBe(true);
  });

  it("gives exactly one of many concurrent claimers the claim", async () => {
    const { store, second } = await fresh();
    const other = second?.() ?? store;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).claim("race", 60)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("leases a lock to one holder, renews and releases it only with its token", async () => {
    const { store } = await fresh();
    const token = await store.lock("field:a", 5_000);
    expect(token).toEqual(expect.any(String));
    expect(await store.lock("field:a", 5_000)).toBeNull();
    expect(await store.renew("field:a", "someone-else", 5_000)).toBe(false);
    expect(await store.renew("field:a", token!, 5_000)).toBe(true);
    await store.release("field:a", "someone-else");
    expect(await store.lock("field:a", 5_000)).toBeNull();
    await store.release("field:a", token!);
    const again = await store.lock("field:a", 5_000);
    expect(again).not.toBeNull();
    expect(again).not.toBe(token);
  });

  it("lets a lease that was not renewed lapse, and the old token can no longer renew it", async () => {
    const { store, second } = await fresh();
    const other = second?.() ?? store;
    const first = await store.lock("verify:x", 300);
    expect(first).not.toBeNull();
    expect(await other.lock("verify:x", 300)).toBeNull();
    await sleep(450);
    const taken = await other.lock("verify:x", 5_000);
    expect(taken).not.toBeNull();
    expect(await store.renew("verify:x", first!, 5_000)).toBe(false);
    await store.release("verify:x", first!);
    expect(await store.lock("verify:x", 5_000)).toBeNull();
  });

  it("gives exactly one of many concurrent lockers the lease", async () => {
    const { store, second } = await fresh();
    const other = second?.() ?? store;
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).lock("group:g", 5_000)),
    );
    expect(tokens.filter((t) => t !== null)).toHaveLength(1);
  });

  it("saves, reads, lists and deletes verifications", async () => {
    const { store, second } = await fresh();
    const other = second?.() ?? store;
    expect(await store.listVerifications()).toEqual([]);
    expect(await store.getVerification("shop/gitops#12")).toBeNull();
    await store.saveVerification(sampleRecord("shop/gitops#12"));
    await store.saveVerification(sampleRecord("shop/gitops#13"));
    expect(await other.getVerification("shop/gitops#12")).toEqual(sampleRecord("shop/gitops#12"));
    const updated = { ...sampleRecord("shop/gitops#12"), checkRunId: 100 };
    await store.saveVerification(updated);
    expect(await other.getVerification("shop/gitops#12")).toEqual(updated);
    expect((await other.listVerifications()).map((r) => r.id).sort()).toEqual([
      "shop/gitops#12",
      "shop/gitops#13",
    ]);
    await other.deleteVerification("shop/gitops#12");
    expect(await store.getVerification("shop/gitops#12")).toBeNull();
    expect((await store.listVerifications()).map((r) => r.id)).toEqual(["shop/gitops#13"]);
  });

  it("answers a ping", async () => {
    const { store } = await fresh();
    await expect(store.ping()).resolves.toBeUndefined();
  });
}

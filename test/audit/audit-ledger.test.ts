import { describe, expect, it } from "vitest";
import {
  AuditLedger,
  GENESIS,
  InMemoryLedgerBackend,
  parseLedger,
  parseTrailers,
  serializeLedger,
  verifyChain,
  type LedgerBackend,
} from "../../src/audit/index.js";
import { event } from "./events.js";

const noWait = { sleep: async () => undefined };

describe("AuditLedger", () => {
  it("appends in order, chained from genesis, and reports the head", async () => {
    const backend = new InMemoryLedgerBackend();
    const ledger = new AuditLedger(backend, noWait);
    expect(await ledger.head()).toBe(GENESIS);
    const first = await ledger.append([event("signal"), event("diagnosis")]);
    const second = await ledger.append([event("decision")]);
    expect([...first, ...second].map((entry) => [entry.seq, entry.kind])).toEqual([
      [1, "signal"],
      [2, "diagnosis"],
      [3, "decision"],
    ]);
    expect(second[0]?.prev).toBe(first[1]?.hash);
    expect(await ledger.head()).toBe(second[0]?.hash);
    expect(await ledger.entries()).toEqual([...first, ...second]);
    expect(verifyChain(backend.text)).toEqual({ ok: true, count: 3, head: second[0]?.hash });
  });

  it("names the appended entries in the commit message's Remedy-Audit trailers", async () => {
    const backend = new InMemoryLedgerBackend();
    const entries = await new AuditLedger(backend, noWait).append([
      event("pr.opened", { pr: 34 }),
      event("command"),
    ]);
    expect(backend.messages[0]).toMatch(/^audit: pr\.opened, command \(seq 1-2\)\n\n/);
    expect(parseTrailers(backend.messages[0] ?? "")["Remedy-Audit"]).toEqual(
      entries.map((entry) => entry.hash),
    );
  });

  it("lands two concurrent appends from two replicas, one after the other", async () => {
    const backend = new InMemoryLedgerBackend();
    const replicaA = new AuditLedger(backend);
    const replicaB = new AuditLedger(backend);
    const stores = spyOnStores(backend);
    const [a, b] = await Promise.all([
      replicaA.append([event("signal", { actor: "a" }), event("diagnosis", { actor: "a" })]),
      replicaB.append([event("command", { actor: "b" })]),
    ]);
    // Both loaded version null, so exactly one store lost and was re-chained on top of the other.
    expect(stores.filter((outcome) => outcome === "conflict")).toHaveLength(1);
    const { entries, errors } = parseLedger(backend.text);
    expect(errors).toEqual([]);
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3]);
    expect(entries).toEqual(expect.arrayContaining([...a, ...b]));
    expect(verifyChain(backend.text)).toMatchObject({ ok: true, count: 3 });
    // One replica's batch stays contiguous and in its order.
    expect(entries.map((entry) => entry.actor).join("")).toMatch(/^(aab|baa)$/);
  });

  it("serialises concurrent appends from one instance without needing the CAS", async () => {
    const backend = new InMemoryLedgerBackend();
    const stores = spyOnStores(backend);
    const ledger = new AuditLedger(backend, { maxAttempts: 1 });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => ledger.append([event("comment", { data: { i } })])),
    );
    expect(stores).toEqual(Array.from({ length: 20 }, () => "stored"));
    expect(parseLedger(backend.text).entries.map((entry) => entry.data.i)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  it("keeps existing lines byte for byte", async () => {
    const seeded = new InMemoryLedgerBackend();
    await new AuditLedger(seeded, noWait).append([event("signal")]);
    const readable = seeded.text.replace(/,"/g, ', "');
    const backend = new InMemoryLedgerBackend(readable);
    await new AuditLedger(backend, noWait).append([event("diagnosis")]);
    expect(backend.text.startsWith(readable)).toBe(true);
    expect(verifyChain(backend.text)).toMatchObject({ ok: true, count: 2 });
  });

  it("gives up after maxAttempts when it keeps losing, with backoff between tries", async () => {
    const backend: LedgerBackend = {
      load: async () => ({ text: "", version: null }),
      store: async () => "conflict",
    };
    const waits: number[] = [];
    const ledger = new AuditLedger(backend, {
      maxAttempts: 3,
      sleep: async (ms) => void waits.push(ms),
      random: () => 1,
    });
    await expect(ledger.append([event("signal")])).rejects.toThrow(/lost the race 3 times/);
    expect(waits).toEqual([20, 40]);
  });

  it("refuses to append to a broken ledger", async () => {
    const entries = await new AuditLedger(new InMemoryLedgerBackend(), noWait).append([
      event("signal"),
      event("decision"),
    ]);
    const broken = serializeLedger(entries).replace('"kind":"decision"', '"kind":"diagnosis"');
    const backend = new InMemoryLedgerBackend(broken);
    await expect(new AuditLedger(backend, noWait).append([event("review")])).rejects.toThrow(
      /refusing to append: the audit ledger is broken at seq 2: hash mismatch/,
    );
    expect(backend.text).toBe(broken);
  });

  it("never writes a secret", async () => {
    const backend = new InMemoryLedgerBackend();
    await new AuditLedger(backend, noWait).append([
      event("model.call", {
        data: {
          api_key: "sk-abcdefghijklmnopqrstuvwx",
          prompt: "Authorization: Bearer abcdefghijklmnopqrstu",
        },
      }),
    ]);
    expect(backend.text).not.toMatch(/sk-abc|abcdefghijklmnopqrstu/);
  });
});

function spyOnStores(backend: InMemoryLedgerBackend): string[] {
  const outcomes: string[] = [];
  const store = backend.store.bind(backend);
  backend.store = async (...args) => {
    const outcome = await store(...args);
    outcomes.push(outcome);
    return outcome;
  };
  return outcomes;
}

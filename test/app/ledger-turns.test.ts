import { describe, expect, it } from "vitest";
import { LedgerTurns } from "../../src/app/ledger-turns.js";
import { withUrgency } from "../../src/app/write-lane.js";
import {
  AuditLedger,
  InMemoryLedgerBackend,
  parseLedger,
  verifyChain,
  type LedgerBackend,
} from "../../src/audit/index.js";
import { event } from "../audit/events.js";

describe("LedgerTurns", () => {
  it("runs one task at a time per ledger, the most urgent waiting next, and ledgers side by side", async () => {
    const turns = new LedgerTurns();
    const log: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const task = (name: string, wait?: Promise<void>) => async () => {
      log.push(`start ${name}`);
      await wait;
      log.push(`end ${name}`);
      return name;
    };
    const first = withUrgency({ rank: 5, order: 1 }, () => turns.run("acme/a", task("first", held)));
    const warning = withUrgency({ rank: 2, order: 2 }, () => turns.run("acme/a", task("warning")));
    const critical = withUrgency({ rank: 1, order: 3 }, () => turns.run("acme/a", task("critical")));
    const other = turns.run("acme/b", task("other ledger"));
    expect(await other).toBe("other ledger");
    expect(log).toEqual(["start first", "start other ledger", "end other ledger"]);
    release();
    expect(await Promise.all([first, warning, critical])).toEqual(["first", "warning", "critical"]);
    expect(log.slice(3)).toEqual([
      "end first",
      "start critical",
      "end critical",
      "start warning",
      "end warning",
    ]);
  });

  it("passes the turn on when a task fails", async () => {
    const turns = new LedgerTurns();
    const failed = turns.run("acme/a", async () => {
      throw new Error("boom");
    });
    const next = turns.run("acme/a", async () => "ran");
    await expect(failed).rejects.toThrow("boom");
    expect(await next).toBe("ran");
  });

  it("keeps the appends of many AuditLedgers of one process off each other's compare-and-swap", async () => {
    const turns = new LedgerTurns();
    const backend = new InMemoryLedgerBackend();
    const outcomes: string[] = [];
    const counted: LedgerBackend = {
      load: () => backend.load(),
      store: async (...args) => {
        const outcome = await backend.store(...args);
        outcomes.push(outcome);
        return outcome;
      },
    };
    const exclusive = <T>(task: () => Promise<T>) => turns.run("acme/gitops", task);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        new AuditLedger(counted, { exclusive, maxAttempts: 1 }).append([event("signal", { data: { i } })]),
      ),
    );
    expect(outcomes).toEqual(Array.from({ length: 10 }, () => "stored"));
    expect(verifyChain(backend.text)).toMatchObject({ ok: true, count: 10 });
    expect(parseLedger(backend.text).errors).toEqual([]);
  });
});

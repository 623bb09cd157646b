import { describe, expect, it } from "vitest";
import {
  AuditLedger,
  InMemoryLedgerBackend,
  ParsedLedgers,
  VerifiedLedgers,
  chainEntry,
  parseLedger,
  serializeLedger,
  verifyChain,
  type LedgerEntry,
} from "../../src/audit/index.js";
import { event } from "./events.js";

const noWait = { sleep: async () => undefined };

function honest(count: number): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  for (let i = 0; i < count; i += 1)
    entries.push(chainEntry(entries.at(-1), event(i === 0 ? "signal" : "diagnosis", { data: { step: i } })));
  return entries;
}

describe("VerifiedLedgers", () => {
  it("answers what verifyChain answers for a ledger that grew after a verified text", () => {
    const entries = honest(6);
    const verified = new VerifiedLedgers();
    const first = verified.check(serializeLedger(entries.slice(0, 3)));
    expect(first).toMatchObject({ ok: true, point: { count: 3, last: entries[2] } });
    const grown = serializeLedger(entries);
    expect(verified.check(grown)).toEqual({ ok: true, point: { count: 6, last: entries[5] } });
    expect(verifyChain(grown)).toEqual({ ok: true, count: 6, head: entries[5]?.hash });
  });

  it("checks the lines after a verified text, numbering them after its lines", () => {
    const entries = honest(4);
    const verified = new VerifiedLedgers();
    expect(verified.check(serializeLedger(entries.slice(0, 2))).ok).toBe(true);
    const forged = { ...entries[3]!, data: { step: 99 } };
    const text = serializeLedger([...entries.slice(0, 3), forged]);
    const expected = verifyChain(text);
    expect(expected).toMatchObject({
      ok: false,
      seq: 4,
      line: 4,
      reason: expect.stringMatching(/hash mismatch/),
    });
    expect(verified.check(text)).toEqual(expected);
  });

  it("never trusts a verified text that the ledger no longer repeats byte for byte", () => {
    const entries = honest(3);
    const verified = new VerifiedLedgers();
    const text = serializeLedger(entries);
    expect(verified.check(text).ok).toBe(true);
    // Same length, one changed byte in an old line: the whole text is checked again and fails.
    const tampered = text.replace('"step":1', '"step":7');
    expect(tampered.length).toBe(text.length);
    expect(verified.check(tampered)).toEqual(verifyChain(tampered));
    expect(verified.check(tampered)).toMatchObject({ ok: false, seq: 2 });
    // And an old line rewritten before new lines were added is caught too.
    const more = serializeLedger([...entries, chainEntry(entries[2], event("decision"))]);
    expect(verified.check(more.replace('"step":1', '"step":7'))).toMatchObject({ ok: false, seq: 2 });
  });

  it("does not remember a broken ledger as verified", () => {
    const entries = honest(2);
    const broken = serializeLedger(entries).replace('"step":1', '"step":5');
    const verified = new VerifiedLedgers();
    expect(verified.check(broken).ok).toBe(false);
    expect(verified.check(broken).ok).toBe(false);
    expect(
      verified.check(`${broken}${serializeLedger([chainEntry(entries[1], event("decision"))])}`).ok,
    ).toBe(false);
  });

  it("keeps ledgers of different repositories apart and forgets the least recently used", () => {
    const a = honest(2);
    const b = [chainEntry(undefined, event("signal", { repo: "acme/other" }))];
    const verified = new VerifiedLedgers(1);
    expect(verified.check(serializeLedger(a)).ok).toBe(true);
    expect(verified.check(serializeLedger(b)).ok).toBe(true);
    // `a` was forgotten: its text is checked whole again, with the same answer.
    expect(verified.check(serializeLedger(a))).toEqual({ ok: true, point: { count: 2, last: a[1] } });
  });
});

describe("AuditLedger with a shared VerifiedLedgers", () => {
  it("appends like one without it, across instances of one process", async () => {
    const backend = new InMemoryLedgerBackend();
    const verified = new VerifiedLedgers();
    for (let i = 0; i < 5; i++)
      await new AuditLedger(backend, { ...noWait, verified }).append([event("signal", { data: { i } })]);
    expect(verifyChain(backend.text)).toMatchObject({ ok: true, count: 5 });
  });

  it("still refuses to append when an entry it verified before was rewritten since", async () => {
    const verified = new VerifiedLedgers();
    const entries = await new AuditLedger(new InMemoryLedgerBackend(), noWait).append([
      event("signal"),
      event("decision"),
    ]);
    const backend = new InMemoryLedgerBackend(serializeLedger(entries));
    await new AuditLedger(backend, { ...noWait, verified }).append([event("review")]);
    const rewritten = backend.text.replace('"kind":"decision"', '"kind":"diagnosis"');
    const tampered = new InMemoryLedgerBackend(rewritten);
    await expect(
      new AuditLedger(tampered, { ...noWait, verified }).append([event("review")]),
    ).rejects.toThrow(/refusing to append: the audit ledger is broken at seq 2: hash mismatch/);
    expect(tampered.text).toBe(rewritten);
  });
});

describe("ParsedLedgers", () => {
  it("answers what parseLedger answers, for a grown, a rewritten and a broken ledger", () => {
    const entries = honest(5);
    const parsed = new ParsedLedgers();
    const texts = [
      serializeLedger(entries.slice(0, 2)),
      serializeLedger(entries),
      serializeLedger(entries).replace('"step":1', '"step":7'),
      `${serializeLedger(entries.slice(0, 3))}{"seq":4\n${serializeLedger(entries.slice(4))}`,
      `${serializeLedger(entries.slice(0, 3))}{"seq":4\n${serializeLedger(entries.slice(4))}`,
      serializeLedger(entries),
    ];
    for (const text of texts) expect(parsed.parse(text)).toEqual(parseLedger(text));
  });

  it("gives every caller its own entries", () => {
    const text = serializeLedger(honest(2));
    const parsed = new ParsedLedgers();
    const first = parsed.parse(text).entries;
    first[0]!.data["step"] = "changed";
    expect(parsed.parse(text).entries[0]?.data).toEqual({ step: 0 });
  });
});

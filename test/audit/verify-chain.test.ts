import { describe, expect, it } from "vitest";
import {
  GENESIS,
  chainEntry,
  hashEntry,
  parseLedger,
  serializeLedger,
  verifyChain,
  type LedgerEntry,
} from "../../src/audit/index.js";
import { event } from "./events.js";

function honest(count = 5): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    entries.push(chainEntry(entries.at(-1), event(i === 0 ? "signal" : "diagnosis", { data: { step: i } })));
  }
  return entries;
}

const lines = (text: string) => text.split("\n").slice(0, -1);
const join = (parts: string[]) => `${parts.join("\n")}\n`;

describe("chainEntry", () => {
  it("numbers from 1, links prev to the previous hash and hashes everything but hash", () => {
    const [first, second] = honest(2);
    expect(first).toMatchObject({ seq: 1, prev: GENESIS });
    expect(second).toMatchObject({ seq: 2, prev: first?.hash });
    const { hash, ...rest } = second as LedgerEntry;
    expect(hash).toBe(hashEntry(rest));
  });

  it("stores data as the plain JSON that was hashed, without undefined keys", () => {
    const entry = chainEntry(
      undefined,
      event("signal", { data: { a: undefined, at: new Date("2026-11-21T10:00:00Z") } }),
    );
    expect(entry.data).toEqual({ at: "2026-11-21T10:00:00.000Z" });
    expect(verifyChain(serializeLedger([entry]))).toMatchObject({ ok: true });
  });

  it("redacts secrets before hashing", () => {
    const entry = chainEntry(
      undefined,
      event("signal", { data: { token: "abc", note: "ghp_" + "a".repeat(36) } }),
    );
    expect(JSON.stringify(entry)).not.toMatch(/abc|ghp_a/);
  });

  it.each([
    ["a non-finite number", { data: { x: Number.NaN } }, /NaN/],
    ["a repo that is not owner/name", { repo: "gitops" }, /repo/],
    ["a commit id that is not a full hex sha", { sha: "HEAD" }, /sha/],
    ["a date that is not ISO 8601", { at: "yesterday" }, /at/],
    ["an empty actor", { actor: "" }, /actor/],
  ])("refuses %s, so no invalid line is ever written", (_name, overrides, message) => {
    expect(() => chainEntry(undefined, event("signal", overrides))).toThrow(message);
  });
});

describe("serializeLedger / parseLedger", () => {
  it("writes one canonical line per entry with a trailing newline and reads it back", () => {
    const entries = honest(3);
    const text = serializeLedger(entries);
    expect(text.endsWith("}\n")).toBe(true);
    expect(lines(text)).toHaveLength(3);
    expect(lines(text)[0]).toMatch(/^\{"actor":/);
    expect(parseLedger(text)).toEqual({ entries, errors: [] });
  });

  it("reports lines that are not entries, with their line numbers", () => {
    const [a] = lines(serializeLedger(honest(1)));
    const text = join([
      a as string,
      "{",
      "",
      '{"seq":2}',
      JSON.stringify({ ...JSON.parse(a as string), extra: 1 }),
    ]);
    expect(parseLedger(text).errors).toEqual([
      { line: 2, reason: "truncated or invalid JSON" },
      { line: 3, reason: "empty line" },
      { line: 4, reason: "missing field at" },
      { line: 5, reason: "unexpected field extra" },
    ]);
  });
});

describe("verifyChain", () => {
  it("accepts an honest ledger and names its head", () => {
    const entries = honest();
    expect(verifyChain(serializeLedger(entries))).toEqual({ ok: true, count: 5, head: entries[4]?.hash });
  });

  it("accepts an empty ledger with the genesis head", () => {
    expect(verifyChain("")).toEqual({ ok: true, count: 0, head: GENESIS });
  });

  it("recomputes from the parsed object, so another key order or spacing still verifies", () => {
    const entries = honest(2);
    const readable = entries.map((entry) => JSON.stringify(entry, null, 0).replace(/,"/g, ', "')).join("\n");
    expect(verifyChain(readable)).toMatchObject({ ok: true, count: 2 });
  });

  it("finds an edited value", () => {
    const parts = lines(serializeLedger(honest()));
    parts[2] = (parts[2] as string).replace('"step":2', '"step":9');
    const result = verifyChain(join(parts));
    expect(result).toMatchObject({ ok: false, seq: 3, line: 3 });
    expect(result.ok === false && result.reason).toMatch(
      /^hash mismatch \(recorded sha256:[0-9a-f]{64}, computed sha256:[0-9a-f]{64}\)$/,
    );
  });

  it("finds an edited value whose own hash was recomputed", () => {
    const entries = honest();
    const forged = { ...(entries[2] as LedgerEntry), data: { step: 9 } };
    entries[2] = { ...forged, hash: hashEntry(forged) };
    expect(verifyChain(serializeLedger(entries))).toEqual({
      ok: false,
      seq: 4,
      line: 4,
      reason: "prev does not match the hash of seq 3",
    });
  });

  it("finds a dropped entry", () => {
    const parts = lines(serializeLedger(honest()));
    parts.splice(2, 1);
    expect(verifyChain(join(parts))).toEqual({
      ok: false,
      seq: 3,
      line: 3,
      reason: "expected seq 3 after 2, found 4",
    });
  });

  it("finds a dropped first entry", () => {
    const parts = lines(serializeLedger(honest()));
    expect(verifyChain(join(parts.slice(1)))).toEqual({
      ok: false,
      seq: 1,
      line: 1,
      reason: "expected seq 1 at the start, found 2",
    });
  });

  it("finds reordered entries", () => {
    const parts = lines(serializeLedger(honest()));
    [parts[1], parts[2]] = [parts[2] as string, parts[1] as string];
    expect(verifyChain(join(parts))).toEqual({
      ok: false,
      seq: 2,
      line: 2,
      reason: "expected seq 2 after 1, found 3",
    });
  });

  it("finds a truncated file", () => {
    const text = serializeLedger(honest());
    expect(verifyChain(text.slice(0, text.length - 40))).toEqual({
      ok: false,
      seq: null,
      line: 5,
      reason: "truncated or invalid JSON",
    });
  });

  it("finds a first entry whose prev is not genesis", () => {
    const forged = { ...(honest(1)[0] as LedgerEntry), prev: `sha256:${"1".repeat(64)}` };
    const result = verifyChain(serializeLedger([{ ...forged, hash: hashEntry(forged) }]));
    expect(result).toMatchObject({ ok: false, seq: 1, reason: `prev of the first entry is not ${GENESIS}` });
  });

  it("asks about every sha and names the first unknown one", () => {
    const known = "a".repeat(40);
    const missing = "0123456789abcdef0123456789abcdef01234567";
    const first = chainEntry(undefined, event("pr.opened", { sha: known, pr: 34 }));
    const second = chainEntry(first, event("pr.merged", { sha: missing, pr: 34 }));
    const asked: string[] = [];
    const result = verifyChain(serializeLedger([first, second]), {
      commitExists: (sha) => {
        asked.push(sha);
        return sha === known;
      },
    });
    expect(asked).toEqual([known, missing]);
    expect(result).toEqual({
      ok: false,
      seq: 2,
      line: 2,
      reason: `sha ${missing} is not a commit in this clone`,
    });
  });

  it("reports a malformed field with the entry's seq", () => {
    const parts = lines(serializeLedger(honest(2)));
    parts[1] = (parts[1] as string).replace('"incident":12', '"incident":"12"');
    expect(verifyChain(join(parts))).toEqual({
      ok: false,
      seq: 2,
      line: 2,
      reason: 'field incident must be an issue number or null (got "12")',
    });
  });
});

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GENESIS, canonicalJson, hashEntry, type LedgerEntry } from "../../src/audit/index.js";

// Written by hand, not produced by the code under test: keys sorted by UTF-16 code unit ("B" before
// "a", "pr" before "prev"), no whitespace, non-ASCII left as is, `hash` absent.
const CANONICAL =
  '{"actor":"alertmanager","at":"2026-11-21T10:00:00Z",' +
  '"data":{"alerts":1,"groupKey":"{}:{alertname=\\"HighErrorRate\\"}","labels":{"B":[1,2.5,"x"],"a":"é ✓","service":"checkout-api"},"ratio":0.02},' +
  '"incident":12,"kind":"signal","pr":null,"prev":"sha256:0000000000000000000000000000000000000000000000000000000000000000",' +
  '"repo":"acme/gitops","seq":1,"sha":null}';

// `printf '%s' "$CANONICAL" | sha256sum`, computed outside Node.
const PINNED = "sha256:c46fd287ccb87578da7118cce28c1000d3fe0d44eb1389a2b43455db1712a866";

// Fields in the readable order of SPEC §6, nested keys unsorted, so sorting is the code's job.
const entry: Omit<LedgerEntry, "hash"> = {
  seq: 1,
  at: "2026-11-21T10:00:00Z",
  kind: "signal",
  repo: "acme/gitops",
  incident: 12,
  pr: null,
  sha: null,
  actor: "alertmanager",
  data: {
    ratio: 0.02,
    labels: { service: "checkout-api", a: "é ✓", B: [1, 2.5, "x"] },
    groupKey: '{}:{alertname="HighErrorRate"}',
    alerts: 1,
  },
  prev: GENESIS,
};

describe("hashEntry", () => {
  it("is sha256 over the UTF-8 bytes of the hand-written canonical form", () => {
    const expected = `sha256:${createHash("sha256").update(Buffer.from(CANONICAL, "utf8")).digest("hex")}`;
    expect(expected).toBe(PINNED);
    expect(canonicalJson(entry)).toBe(CANONICAL);
    expect(hashEntry(entry)).toBe(PINNED);
  });

  it("ignores a hash field present at run time", () => {
    expect(hashEntry({ ...entry, hash: "sha256:whatever" } as LedgerEntry)).toBe(PINNED);
  });

  it("changes when any field changes", () => {
    expect(hashEntry({ ...entry, data: { ...entry.data, ratio: 0.03 } })).not.toBe(PINNED);
    expect(hashEntry({ ...entry, seq: 2 })).not.toBe(PINNED);
    expect(hashEntry({ ...entry, prev: `sha256:${"1".repeat(64)}` })).not.toBe(PINNED);
  });

  it("has the genesis value SPEC §6 fixes", () => {
    expect(GENESIS).toBe("sha256:0000000000000000000000000000000000000000000000000000000000000000");
  });
});

describe("canonicalJson", () => {
  it("sorts keys recursively, keeps array order and writes no whitespace", () => {
    expect(canonicalJson({ b: [{ z: 1, y: { d: null, c: true } }], a: "x y" })).toBe(
      '{"a":"x y","b":[{"y":{"c":true,"d":null},"z":1}]}',
    );
  });

  it("keeps JSON.stringify semantics for numbers and strings", () => {
    const value = { n: [-0, 1e21, 0.1, 5e-7, 100], s: 'line\nbreak \u2028 \ud800 "q" \\' };
    expect(canonicalJson(value)).toBe(JSON.stringify({ n: value.n, s: value.s }));
  });

  it("drops undefined properties like JSON.stringify", () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it("uses toJSON, as JSON.stringify does", () => {
    expect(canonicalJson({ at: new Date("2026-11-21T10:00:00Z") })).toBe('{"at":"2026-11-21T10:00:00.000Z"}');
  });

  it.each([
    ["NaN", { x: Number.NaN }, /\$\.x is NaN/],
    ["Infinity", { x: [Infinity] }, /\$\.x\[0\] is Infinity/],
    ["undefined in an array", { x: [undefined] }, /\$\.x\[0\] is undefined/],
    ["bigint", { x: 1n }, /bigint/],
    ["function", { x: () => 1 }, /function/],
    ["Map", { x: new Map([["a", 1]]) }, /Map, not plain data/],
  ])("refuses %s instead of losing it", (_name, value, message) => {
    expect(() => canonicalJson(value)).toThrow(message);
  });

  it("refuses a circular structure", () => {
    const value: Record<string, unknown> = {};
    value.self = value;
    expect(() => canonicalJson(value)).toThrow(/circular/);
  });

  it("accepts the same object twice when it is not circular", () => {
    const shared = { a: 1 };
    expect(canonicalJson({ x: shared, y: shared })).toBe('{"x":{"a":1},"y":{"a":1}}');
  });
});

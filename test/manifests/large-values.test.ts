import { describe, expect, it } from "vitest";
import { editField, readField } from "../../src/manifests/index.js";
import { helm } from "./helpers.js";
import { largeValuesFile } from "./large-values.js";

describe("a 0.9 MB values file (the duplicate-key check is linear)", () => {
  it("is read and edited like a small one", () => {
    const { text } = largeValuesFile(900_000);
    expect(text.length).toBeGreaterThanOrEqual(900_000);
    expect(readField(text, helm(), "replicas")).toMatchObject({ ok: true, value: "6", line: 1 });
    const edited = editField(text, helm(), "replicas", "8");
    expect(edited.ok && edited.text.slice(0, 20)).toBe("replicaCount: 8\nimag");
  });

  it("with one duplicate key near the end is still refused, naming the key and its line", () => {
    const { text, duplicateLine } = largeValuesFile(900_000, "CHECKOUT_TIMEOUT");
    const result = readField(text, helm(), "replicas");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe("parse-error");
    expect(result.reason).toContain(`values.yaml:${duplicateLine}:`);
    expect(result.reason).toContain('"CHECKOUT_TIMEOUT" appears again');
  });

  it('keys equal only as scalars of the same value: 1 and "1" differ, a repeated key in a flow map does not', () => {
    expect(readField('replicaCount: 2\nmap:\n  1: a\n  "1": b\n', helm(), "replicas").ok).toBe(true);
    const flow = readField("replicaCount: 2\nmap: { a: 1, b: 2, a: 3 }\n", helm(), "replicas");
    expect(flow.ok === false && flow.reason).toMatch(/values\.yaml:2: .*"a" appears again/);
    // Keys in different maps may repeat.
    expect(readField("replicaCount: 2\na:\n  x: 1\nb:\n  x: 2\n", helm(), "replicas").ok).toBe(true);
  });
});

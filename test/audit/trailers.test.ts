import { describe, expect, it } from "vitest";
import { parseTrailers, trailersFor } from "../../src/audit/index.js";

const audit = `sha256:${"a".repeat(64)}`;
const evidence = `sha256:${"e".repeat(64)}`;

describe("trailersFor", () => {
  it("writes the SPEC §4 trailers in order", () => {
    expect(trailersFor({ incident: 12, evidence, audit })).toBe(
      `Remedy-Incident: #12\nRemedy-Evidence: ${evidence}\nRemedy-Audit: ${audit}`,
    );
  });

  it("refuses values that are not sha256 hashes or issue numbers", () => {
    expect(() => trailersFor({ audit: "sha256:abc" })).toThrow(/Remedy-Audit/);
    expect(() => trailersFor({ incident: 0 })).toThrow(/Remedy-Incident/);
  });
});

describe("parseTrailers", () => {
  it("reads what trailersFor wrote, after the subject and body", () => {
    const message = `scale checkout-api in prod: 4 → 6 replicas\n\nWhy: error rate.\n\n${trailersFor({ incident: 12, evidence, audit: [audit, evidence] })}\n`;
    expect(parseTrailers(message)).toEqual({
      "Remedy-Incident": ["#12"],
      "Remedy-Evidence": [evidence],
      "Remedy-Audit": [audit, evidence],
    });
  });

  it("treats keys case-insensitively, as git does", () => {
    expect(parseTrailers(`subject\n\nremedy-audit: ${audit}\nSigned-off-by: a <a@b>`)).toEqual({
      "Remedy-Audit": [audit],
      "Signed-Off-By": ["a <a@b>"],
    });
  });

  it("finds no trailers in a subject alone or in a last paragraph of prose", () => {
    expect(parseTrailers(`Remedy-Audit: ${audit}`)).toEqual({});
    expect(parseTrailers(`subject\n\nsee Remedy-Audit: ${audit}\nfor details`)).toEqual({});
  });

  it("joins folded continuation lines", () => {
    expect(parseTrailers("subject\n\nNote: one\n  two")).toEqual({ Note: ["one two"] });
  });
});

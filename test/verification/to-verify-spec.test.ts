import { describe, expect, it } from "vitest";
import { toVerifySpec } from "../../src/verification/index.js";

describe("toVerifySpec", () => {
  it("turns a runbook verify block into seconds and drops undefined fields", () => {
    expect(
      toVerifySpec({
        interval: "30s",
        soak: "5m",
        failure_threshold: 2,
        max_errors: 3,
        deadline: "10m",
        checks: [{ name: "error_rate", query: "q", max: 0.02, min: undefined }, { name: "rollout" }],
      }),
    ).toStrictEqual({
      intervalSeconds: 30,
      soakSeconds: 300,
      failureThreshold: 2,
      maxErrors: 3,
      deadlineSeconds: 600,
      checks: [{ name: "error_rate", query: "q", max: 0.02 }, { name: "rollout" }],
    });
  });

  it("names the field whose duration is bad", () => {
    const block = {
      interval: "30s",
      soak: "5 min",
      failure_threshold: 2,
      max_errors: 3,
      deadline: "10m",
      checks: [],
    };
    expect(() => toVerifySpec(block)).toThrow(/^verify\.soak: invalid duration "5 min"/);
  });
});

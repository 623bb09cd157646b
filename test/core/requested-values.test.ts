import { describe, expect, it } from "vitest";
import { requestedValues } from "../../src/signals/requested-values.js";

describe("requestedValues", () => {
  it.each([
    ["scale checkout-api to 12", 12],
    ["please set replicas: 7", 7],
    ["replicaCount = 9", 9],
    ["we need 8 replicas now", 8],
    ["resize to 5 pods", 5],
  ])("reads an absolute replica count from %j", (text, count) => {
    expect(requestedValues(text)).toEqual({ conflicts: {}, replicas: { kind: "absolute", count } });
  });

  it.each([
    ["add 2 replicas", 2],
    ["2 more pods please", 2],
    ["scale by 3 replicas", 3],
    ["another 4 instances", 4],
  ])("reads a relative replica change from %j", (text, delta) => {
    expect(requestedValues(text).replicas).toEqual({ kind: "relative", delta });
  });

  it.each([
    "3x traffic since 9am",
    "traffic is 3x normal",
    "scale to 50%",
    "latency 250ms at p99",
    "p99 at 1.2s",
    "error rate 5.5%",
    "x2 capacity needed",
  ])("finds no replica request in %j", (text) => {
    expect(requestedValues(text).replicas).toBeUndefined();
    expect(requestedValues(text).conflicts).toEqual({});
  });

  it.each([
    ["deploy 1.4.3", "1.4.3"],
    ["roll forward to v2.0.0-rc.1", "v2.0.0-rc.1"],
    ["move from 1.4.2 to 1.5.0", "1.5.0"],
    ["pin image tag 2.10.1", "2.10.1"],
  ])("reads the image tag from %j", (text, tag) => {
    expect(requestedValues(text).tag).toBe(tag);
  });

  it("reads a digest", () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    expect(requestedValues(`deploy ${digest}`).tag).toBe(digest);
  });

  it("ignores numbers that are percentages or latencies, not tags", () => {
    expect(requestedValues("error rate at 5.5% and p99 2.5s").tag).toBeUndefined();
  });

  it("reports conflicting replica counts instead of picking one", () => {
    const result = requestedValues("scale to 8 replicas, no wait, 10 replicas");
    expect(result.replicas).toBeUndefined();
    expect(result.conflicts).toEqual({ replicas: "several replica counts (=8, =10)" });
  });

  it("reports conflicting tags instead of picking the first", () => {
    const result = requestedValues("deploy 1.4.3 or 1.4.4");
    expect(result.tag).toBeUndefined();
    expect(result.conflicts.tag).toMatch(/several image tags \(1\.4\.3, 1\.4\.4\)/);
  });

  it("the same value said twice is not a conflict", () => {
    expect(requestedValues("scale to 6 replicas. yes, 6 replicas")).toEqual({
      conflicts: {},
      replicas: { kind: "absolute", count: 6 },
    });
  });
});

import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/verification/index.js";

describe("parseDuration", () => {
  it.each([
    ["30s", 30],
    ["5m", 300],
    ["1h", 3600],
    ["1m30s", 90],
    ["500ms", 0.5],
    ["1.5h", 5400],
    ["1h30m", 5400],
    ["2h45m30.5s", 9930.5],
    [".5s", 0.5],
    ["0", 0],
    ["0s", 0],
    ["250us", 0.00025],
    ["250µs", 0.00025],
    ["100ns", 1e-7],
    ["0.1s", 0.1],
    [" 10m ", 600],
    ["+10m", 600],
  ])("reads %j as %d seconds", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each([
    ["", /invalid duration "": use a Go-style duration/],
    ["30", /missing unit after "30"/],
    ["5x", /unknown unit "x"/],
    ["1d", /unknown unit "d" \(days are not Go units; write "24h"\)/],
    ["-5m", /must not be negative/],
    ["m", /expected a number at "m"/],
    ["1.2.3s", /missing unit after "1.2"/],
    ["5 m", /unknown unit " m"/],
    ["+", /invalid duration "\+"/],
    ["99999999999h", /too large/],
  ])("rejects %j with a clear message", (text, message) => {
    expect(() => parseDuration(text)).toThrow(message);
  });
});

describe("formatDuration", () => {
  it.each([
    [90, "1m30s"],
    [30, "30s"],
    [300, "5m"],
    [3600, "1h"],
    [5400, "1h30m"],
    [3661, "1h1m1s"],
    [0.5, "500ms"],
    [1.5, "1.5s"],
    [0.00025, "250µs"],
    [0, "0s"],
    [-90, "-1m30s"],
  ])("writes %d seconds as %j", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it("round-trips through parseDuration", () => {
    for (const seconds of [0.001, 0.75, 1, 59.5, 61, 599, 3600, 86_400, 90_061.25]) {
      expect(parseDuration(formatDuration(seconds))).toBeCloseTo(seconds, 6);
    }
  });

  it("refuses what is not a duration", () => {
    expect(() => formatDuration(Number.NaN)).toThrow(/cannot format/);
  });
});

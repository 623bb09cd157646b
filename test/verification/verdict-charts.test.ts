import { describe, expect, it } from "vitest";
import {
  applyObservation,
  startVerdict,
  summarizeVerdict,
  type VerdictState,
} from "../../src/verification/index.js";
import { chartText, MAX_CHARTS, verdictCharts, writeNumber } from "../../src/verification/verdict-charts.js";
import { verifyProgress } from "../../src/verification/verify-progress.js";
import { after, ERROR_RATE, MERGED_AT, obs, plan } from "./helpers.js";

/**
 * No Mermaid parser on npm reads `xychart-beta` (`@mermaid-js/parser` 2.0.1 answers "Unknown diagram
 * type: xychart-beta"), so this is a strict structural check of the grammar Remedy writes: every line
 * one of the statements below, strings without quotes or line breaks, plain decimal numbers, and every
 * line series as long as the x axis.
 */
const NUMBER = String.raw`-?\d+(?:\.\d+)?`;
const STRING = String.raw`"[^"\n\r]*"`;
function expectWellFormed(charts: string): number {
  const blocks = [...charts.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1] as string);
  for (const block of blocks) {
    const lines = block.split("\n");
    expect(lines[0]).toBe("xychart-beta");
    let categories = -1;
    let series = 0;
    for (const line of lines.slice(1)) {
      if (new RegExp(`^  title ${STRING}$`).test(line)) continue;
      const x = new RegExp(`^  x-axis ${STRING} \\[((?:${STRING})(?:, ${STRING})*)\\]$`).exec(line);
      if (x !== null) {
        categories = (x[1] as string).split(", ").length;
        continue;
      }
      if (new RegExp(`^  y-axis ${STRING} ${NUMBER} --> ${NUMBER}$`).test(line)) continue;
      const values = new RegExp(`^  line \\[(${NUMBER}(?:, ${NUMBER})*)\\]$`).exec(line);
      expect(values, `not a statement Remedy writes: ${line}`).not.toBeNull();
      expect((values?.[1] as string).split(", ")).toHaveLength(categories);
      series += 1;
    }
    expect(categories).toBeGreaterThan(1);
    expect(series).toBeGreaterThan(0);
  }
  return blocks.length;
}

/** A verdict with raw readings, as an adapter might hand them over (NaN, Infinity, huge). */
function withReadings(values: Array<number | null>, name = "error_rate"): VerdictState {
  const state = startVerdict(plan({ checks: [{ ...ERROR_RATE, name }] }), MERGED_AT);
  return {
    ...state,
    evaluations: values.map((value, i) => ({
      at: after(30 * (i + 1)),
      samples: [{ name, value }],
      result: "ok" as const,
      failing: [],
    })),
  };
}

describe("verdictCharts", () => {
  it("draws the readings after the merge with the threshold as a second line", () => {
    const state = [
      obs(30, { error_rate: 0.01 }, "complete"),
      obs(60, { error_rate: 0.05 }, "complete"),
    ].reduce(applyObservation, startVerdict(plan(), MERGED_AT));
    const charts = verdictCharts(state);
    expect(expectWellFormed(charts)).toBe(1);
    expect(charts).toContain('x-axis "time since the merge" ["merge", "+30s", "+1m"]');
    expect(charts).toContain("  line [0.01, 0.01, 0.05]");
    expect(charts).toContain("  line [0.02, 0.02, 0.02]");
    expect(charts).toContain("the flat line is the maximum (0.02)");
    expect(summarizeVerdict(state).charts).toBe(charts);
  });

  it("leaves out NaN and Infinity, clamps huge values, never writes an exponent", () => {
    const charts = verdictCharts(
      withReadings([Number.NaN, 1e300, Number.POSITIVE_INFINITY, 1e-9, -5e20, 0.5]),
    );
    expectWellFormed(charts);
    expect(charts).not.toMatch(/NaN|Infinity|e[+-]\d/);
    expect(charts).toContain("1000000000000");
    expect(charts).toContain("-1000000000000");
    expect(writeNumber(1e-9)).toBe("0");
    expect(writeNumber(-0)).toBe("0");
  });

  it("a check name with quotes, brackets and line breaks cannot break out of the chart", () => {
    const charts = verdictCharts(withReadings([0.1, 0.2], 'p99"]\n  line [1]\n```\n<!-- remedy:plan -->'));
    expect(expectWellFormed(charts)).toBe(1);
    expect(charts).not.toContain("<!--");
    expect(charts.match(/```/g)).toHaveLength(2);
    expect(chartText('a"b\nc', 10)).toBe("a_b_c");
  });

  it("a check name naming a team mentions nobody in the caption under the chart", () => {
    const charts = verdictCharts(withReadings([0.1, 0.2], "@acme/sre-oncall *p99* _x_"));
    expect(expectWellFormed(charts)).toBe(1);
    const outside = charts.replace(/```mermaid[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
    expect(outside).not.toMatch(/@acme/);
    expect(outside).toContain("the flat line is the maximum");
  });

  it("caps the points and says so; many checks stay within the size budget", () => {
    const long = verdictCharts(withReadings(Array.from({ length: 200 }, (_, i) => i / 100)));
    expectWellFormed(long);
    expect(long).toContain("(last 40 of 200 readings)");
    const many = startVerdict(
      plan({
        checks: Array.from({ length: 40 }, (_, i) => ({ ...ERROR_RATE, name: `c${i}_${"x".repeat(50)}` })),
      }),
      MERGED_AT,
    );
    const state: VerdictState = {
      ...many,
      evaluations: Array.from({ length: 60 }, (_, i) => ({
        at: after(30 * (i + 1)),
        samples: many.spec.checks.map((c) => ({ name: c.name, value: 123456.123456 + i })),
        result: "ok" as const,
        failing: [],
      })),
    };
    const charts = verdictCharts(state);
    expect(charts.length).toBeLessThanOrEqual(MAX_CHARTS + 200);
    expect(charts).toMatch(/more charts left out to fit GitHub's size limit/);
    expectWellFormed(charts);
  });

  it("no readings, no chart", () => {
    expect(verdictCharts(withReadings([null, Number.NaN]))).toBe("");
  });
});

describe("verifyProgress", () => {
  it("counts evaluations, soak left and failures in the spec's terms", () => {
    const spec = plan({ soakSeconds: 300, intervalSeconds: 30, failureThreshold: 3 });
    let state = startVerdict(spec, MERGED_AT);
    state = applyObservation(state, obs(30, { error_rate: 0.01 }, "progressing"));
    expect(verifyProgress(state)).toBe(
      "evaluation 1 of ≥ 12, soak 5m not started (waiting for the rollout), 0 of 3 failures",
    );
    for (const s of [60, 90, 120, 150])
      state = applyObservation(state, obs(s, { error_rate: 0.01 }, "complete"));
    expect(verifyProgress(state)).toBe("evaluation 5 of ≥ 12, soak 3m30s of 5m left, 0 of 3 failures");
    state = applyObservation(state, obs(180, { error_rate: 0.5 }, "complete"));
    expect(verifyProgress(state)).toMatch(/, 1 of 3 failures$/);
  });
});

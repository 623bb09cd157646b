import { describe, expect, it } from "vitest";
import {
  applyObservation,
  startVerdict,
  summarizeVerdict,
  type Observation,
  type VerifySpec,
} from "../../src/verification/index.js";
import { ERROR_RATE, MERGED_AT, obs, plan } from "./helpers.js";

function fold(spec: VerifySpec, observations: Observation[]) {
  return observations.reduce(applyObservation, startVerdict(spec, MERGED_AT));
}

describe("summarizeVerdict", () => {
  it("renders a pass with before → after figures and a table of every evaluation", () => {
    const state = fold(plan({ soakSeconds: 60 }), [
      obs(30, { error_rate: 0.31 }, "progressing"),
      obs(60, { error_rate: 0.004 }, "complete"),
      obs(90, { error_rate: 0.003 }, "complete"),
      obs(120, { error_rate: 0.0021 }, "complete"),
    ]);
    const summary = summarizeVerdict(state, { error_rate: 0.0912 });
    expect(state.outcome).toBe("pass");
    expect(summary.before).toEqual({ error_rate: 0.0912 });
    expect(summary.after).toEqual({ error_rate: 0.0021 });
    expect(summary.text).toBe(
      "Verification passed after 4 evaluations: all checks held for 1m (soak 1m).\n- error_rate: 0.0912 → 0.0021 (max 0.02)",
    );
    expect(summary.table).toBe(
      [
        "| # | time (UTC) | rollout | error_rate | result | note |",
        "| --- | --- | --- | --- | --- | --- |",
        "| 1 | 10:00:30 (+30s) | progressing | 0.31 | pending | rollout progressing |",
        "| 2 | 10:01:00 (+1m) | complete | 0.004 | ok |  |",
        "| 3 | 10:01:30 (+1m30s) | complete | 0.003 | ok |  |",
        "| 4 | 10:02:00 (+2m) | complete | 0.0021 | ok |  |",
      ].join("\n"),
    );
  });

  it("quotes the failing figures of a fail", () => {
    const state = fold(plan({ checks: [ERROR_RATE], failureThreshold: 2 }), [
      obs(30, { error_rate: 0.09 }),
      obs(60, { error_rate: 0.11 }),
    ]);
    const summary = summarizeVerdict(state);
    expect(summary.before).toBeUndefined();
    expect(summary.text).toBe(
      "Verification failed after 2 evaluations: error_rate 0.11 > max 0.02 (2 consecutive failing evaluations).\n- error_rate: 0.11 (max 0.02)",
    );
    expect(summary.table).toContain("| 2 | 10:01:00 (+1m) | 0.11 | failing | error_rate 0.11 > max 0.02 |");
  });

  it("says an inconclusive verdict needs a human and shows why each check had no data", () => {
    const state = fold(plan({ checks: [ERROR_RATE], maxErrors: 1 }), [
      {
        at: "2026-11-21T10:00:30.000Z",
        samples: [
          {
            name: "error_rate",
            value: null,
            reason: "Prometheus returned HTTP 503 (timeout): query timed out",
          },
        ],
      },
    ]);
    const summary = summarizeVerdict(state);
    expect(summary.text).toMatch(
      /^Verification inconclusive after 1 evaluation: no data in 1 consecutive evaluations \(error_rate: Prometheus returned HTTP 503/,
    );
    expect(summary.text).toMatch(/A human needs to decide\./);
    expect(summary.after).toEqual({ error_rate: null });
    expect(summary.table).toContain(
      "| no data | no-data | error_rate: Prometheus returned HTTP 503 (timeout): query timed out |",
    );
  });

  it("describes a verification in progress", () => {
    const waiting = fold(plan(), [
      {
        at: "2026-11-21T10:00:30.000Z",
        samples: [],
        rollout: { state: "progressing", reason: "1 of 3 new replicas have been updated" },
      },
    ]);
    expect(summarizeVerdict(waiting).text.split("\n")[0]).toBe(
      "Verification in progress (1 evaluation): waiting for the rollout (progressing: 1 of 3 new replicas have been updated).",
    );
    const soaking = fold(plan(), [
      obs(30, { error_rate: 0.001 }, "complete"),
      obs(60, { error_rate: 0.001 }, "complete"),
    ]);
    expect(summarizeVerdict(soaking).text.split("\n")[0]).toBe(
      "Verification in progress (2 evaluations): soaked 30s of 2m.",
    );
    expect(summarizeVerdict(startVerdict(plan(), MERGED_AT)).text.split("\n")[0]).toBe(
      "Verification in progress (0 evaluations): waiting for the rollout (state unknown).",
    );
  });

  it("keeps error text on one line and unable to break the table or inject HTML", () => {
    const state = fold(plan({ checks: [ERROR_RATE] }), [
      {
        at: "2026-11-21T10:00:30.000Z",
        samples: [{ name: "error_rate", value: null, reason: "bad | pipe\n<img src=x>" }],
      },
    ]);
    const row = summarizeVerdict(state).table.split("\n")[2] ?? "";
    expect(row).toBe("| 1 | 10:00:30 (+30s) | no data | no-data | error_rate: bad \\| pipe &lt;img src=x> |");
  });

  it("shows only the latest 50 evaluations of a long run", () => {
    const spec = plan({ checks: [ERROR_RATE], soakSeconds: 10_000, deadlineSeconds: 10_000 });
    const state = fold(
      spec,
      Array.from({ length: 60 }, (_, i) => obs(30 * (i + 1), { error_rate: 0.001 })),
    );
    const lines = summarizeVerdict(state).table.split("\n");
    expect(lines).toHaveLength(2 + 1 + 50);
    expect(lines[2]).toBe("| … | 10 earlier evaluations omitted |  |  |  |");
    expect(lines[3]).toMatch(/^\| 11 \| /);
  });

  it("lists min and max bounds and informational checks", () => {
    const spec = plan({
      checks: [
        { name: "success", query: "q", min: 0.99, max: 1 },
        { name: "rps", query: "q" },
      ],
    });
    const state = fold(spec, [obs(30, { success: 0.999, rps: 1234.5678 })]);
    expect(summarizeVerdict(state).text.split("\n").slice(1)).toEqual([
      "- success: 0.999 (min 0.99, max 1)",
      "- rps: 1235",
    ]);
  });
});

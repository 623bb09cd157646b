import { describe, expect, it } from "vitest";
import {
  observe,
  ScriptedHealth,
  type HealthContext,
  type HealthSource,
  type RolloutSource,
} from "../../src/verification/index.js";
import { ERROR_RATE, plan, ROLLOUT } from "./helpers.js";

const ctx: HealthContext = {
  service: "checkout-api",
  environment: "prod",
  workload: "checkout-api",
  mergeSha: "a".repeat(40),
  at: "2026-11-21T10:00:30.000Z",
};

describe("observe", () => {
  it("samples every metric check at ctx.at and reads the rollout", async () => {
    const seen: string[] = [];
    const health: HealthSource = {
      sample: async (check, c) => {
        seen.push(`${check.name}@${c.at}`);
        return { name: check.name, value: check.name === "error_rate" ? 0.01 : 12 };
      },
    };
    const rollout: RolloutSource = { rollout: async () => ({ state: "complete", reason: "done" }) };
    const spec = plan({ checks: [ERROR_RATE, ROLLOUT, { name: "rps", query: "q" }] });
    expect(await observe(spec, ctx, { health, rollout })).toEqual({
      at: ctx.at,
      samples: [
        { name: "error_rate", value: 0.01 },
        { name: "rps", value: 12 },
      ],
      rollout: { state: "complete", reason: "done" },
    });
    expect(seen.sort()).toEqual(["error_rate@2026-11-21T10:00:30.000Z", "rps@2026-11-21T10:00:30.000Z"]);
  });

  it("turns a throwing health source into no data, never a crash", async () => {
    const health: HealthSource = {
      sample: async () => {
        throw new Error("socket hang up");
      },
    };
    const observation = await observe(plan({ checks: [ERROR_RATE] }), ctx, { health });
    expect(observation.samples).toEqual([
      { name: "error_rate", value: null, reason: "health source failed: socket hang up" },
    ]);
  });

  it("leaves the rollout unknown when the source throws, returns null, or is missing", async () => {
    const health = new ScriptedHealth({ error_rate: [0.001] });
    const throwing: RolloutSource = {
      rollout: async () => {
        throw new Error("boom");
      },
    };
    const unknown: RolloutSource = { rollout: async () => null };
    for (const rollout of [throwing, unknown, undefined]) {
      const observation = await observe(plan(), ctx, rollout ? { health, rollout } : { health });
      expect(observation).not.toHaveProperty("rollout");
    }
  });

  it("does not read the rollout when the plan has no rollout check", async () => {
    let reads = 0;
    const rollout: RolloutSource = {
      rollout: async () => {
        reads += 1;
        return { state: "failed" };
      },
    };
    const observation = await observe(plan({ checks: [ERROR_RATE] }), ctx, {
      health: new ScriptedHealth({ error_rate: [1] }),
      rollout,
    });
    expect(reads).toBe(0);
    expect(observation).not.toHaveProperty("rollout");
  });

  it("names each sample after the plan's check, whatever the source echoes", async () => {
    const health: HealthSource = { sample: async () => ({ name: "something-else", value: 1 }) };
    expect((await observe(plan({ checks: [ERROR_RATE] }), ctx, { health })).samples).toEqual([
      { name: "error_rate", value: 1 },
    ]);
  });
});

describe("ScriptedHealth", () => {
  it("returns the k-th value on the k-th read, repeating the last", async () => {
    const scripted = new ScriptedHealth({ error_rate: [0.1, null, 0.3] });
    const reads = [];
    for (let i = 0; i < 5; i++) reads.push((await scripted.sample(ERROR_RATE, ctx)).value);
    expect(reads).toEqual([0.1, null, 0.3, 0.3, 0.3]);
  });

  it("counts reads per check", async () => {
    const scripted = new ScriptedHealth({ a: [1, 2], b: [10, 20] });
    expect((await scripted.sample({ name: "a" }, ctx)).value).toBe(1);
    expect((await scripted.sample({ name: "b" }, ctx)).value).toBe(10);
    expect((await scripted.sample({ name: "a" }, ctx)).value).toBe(2);
  });

  it("reports no data for an unscripted check, with a reason", async () => {
    expect(await new ScriptedHealth({}).sample(ERROR_RATE, ctx)).toEqual({
      name: "error_rate",
      value: null,
      reason: "no scripted values for this check",
    });
    expect(await new ScriptedHealth({ toString: [1] }).sample({ name: "valueOf" }, ctx)).toMatchObject({
      value: null,
    });
  });

  it("plays the rollout list, and is complete without one", async () => {
    const scripted = new ScriptedHealth({}, ["progressing", "complete"]);
    const states = [];
    for (let i = 0; i < 3; i++) states.push((await scripted.rollout(ctx)).state);
    expect(states).toEqual(["progressing", "complete", "complete"]);
    expect((await new ScriptedHealth({}).rollout(ctx)).state).toBe("complete");
  });
});

import { describe, expect, it } from "vitest";
import { WorkGate } from "../../src/app/work-gate.js";

const HOLD = { quietMs: 40, maxHoldMs: 250 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** When a task given to the gate now starts, in ms from now. */
function startOf(gate: WorkGate, key = "k"): Promise<number> {
  const asked = performance.now();
  return gate.run(key, 0, async () => performance.now() - asked);
}

describe("a burst of notifications holds back new work (answering comes first)", () => {
  it("a lone notification holds nothing", async () => {
    const gate = new WorkGate(4, HOLD);
    gate.arrived();
    expect(await startOf(gate)).toBeLessThan(HOLD.quietMs / 2);
  });

  it("work asked for during a burst starts once the burst pauses", async () => {
    const gate = new WorkGate(4, HOLD);
    gate.arrived();
    gate.arrived();
    const started = startOf(gate);
    await sleep(20);
    gate.arrived(); // still pouring in: the pause counts from here
    const from = performance.now();
    const at = await started;
    expect(performance.now() - from).toBeGreaterThanOrEqual(HOLD.quietMs - 5);
    expect(at).toBeLessThan(HOLD.maxHoldMs);
  });

  it("a burst that never pauses holds work for at most maxHoldMs", async () => {
    const gate = new WorkGate(4, HOLD);
    let pouring = true;
    const pour = (async () => {
      while (pouring) {
        gate.arrived();
        await sleep(5);
      }
    })();
    await sleep(10);
    const at = await startOf(gate);
    pouring = false;
    await pour;
    expect(at).toBeGreaterThanOrEqual(HOLD.maxHoldMs - 10 - 15);
    expect(at).toBeLessThan(HOLD.maxHoldMs + 100);
    // Once the cap is reached, later work is not held again while the same burst goes on.
  });
});

/**
 * The order accepted work starts in when slots are short: a person's command first, then alerts by
 * severity, and background work nobody waits on (the onboarding PR of each repository an App
 * installation added) last, so installing the App on a thousand repositories cannot hold back a
 * critical alert behind a thousand repository reads.
 */
import { describe, expect, it } from "vitest";
import { WorkGate } from "../../src/app/work-gate.js";
import type { WorkItem } from "../../src/app/work-item.js";
import { workRank } from "../../src/app/work-rank.js";
import { AlertPayload } from "../../src/signals/alert-payload.js";
import { firingAlert } from "./harness.js";

function item(work: WorkItem["work"], n = 0): WorkItem {
  return {
    id: `item-${n}`,
    owner: "shop",
    repo: `repo-${n}`,
    installationId: 7,
    delivery: null,
    receivedAt: "2026-03-02T10:00:00Z",
    work,
  };
}

function alert(severity: string): WorkItem {
  const raw = firingAlert();
  const labels = { ...(raw.commonLabels as Record<string, string>), severity };
  const payload = AlertPayload.parse({
    ...raw,
    commonLabels: labels,
    alerts: (raw.alerts as Array<Record<string, unknown>>).map((a) => ({ ...a, labels })),
  });
  return item({ kind: "alert", payload });
}

describe("workRank", () => {
  it("onboarding ranks after every alert, even one of unknown severity; a person's command stays first", () => {
    const onboard = workRank(item({ kind: "onboard" }));
    for (const severity of ["critical", "warning", "info", "made-up"])
      expect(onboard).toBeGreaterThan(workRank(alert(severity)));
    expect(workRank(item({ kind: "recheck", pr: 1, headSha: "a".repeat(40) }))).toBeLessThan(
      workRank(alert("critical")),
    );
  });

  it("one slot, a flood of onboarding queued, then a critical alert: the alert starts next", async () => {
    const gate = new WorkGate(1);
    const order: string[] = [];
    let release: (() => void) | undefined;
    const busy = gate.run("first", 0, () => new Promise<void>((resolve) => (release = resolve)));
    while (release === undefined) await new Promise((r) => setTimeout(r, 1));
    const queued = Array.from({ length: 50 }, (_, n) =>
      gate.run(`onboard-${n}`, workRank(item({ kind: "onboard" }, n)), async () => {
        order.push("onboard");
      }),
    );
    const critical = gate.run("alert", workRank(alert("critical")), async () => {
      order.push("critical");
    });
    release();
    await Promise.all([busy, critical, ...queued]);
    expect(order[0]).toBe("critical");
    expect(order).toHaveLength(51);
  });
});

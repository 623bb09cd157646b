import { describe, expect, it } from "vitest";
import { useRemedyApp } from "./app-test.js";
import { ALERT_TOKEN, firingAlert, type Harness } from "./harness.js";

const app = useRemedyApp();

/** A firing notification of its own group (alertname), with `severity` as given or absent. */
function alertOf(name: string, severity: string | null): Record<string, unknown> {
  const base = firingAlert({ alertname: name, fingerprint: `f-${name}` });
  const strip = (labels: Record<string, string>) => {
    const { severity: _dropped, ...rest } = labels;
    return severity === null ? rest : { ...rest, severity };
  };
  const alerts = (base.alerts as Array<{ labels: Record<string, string> }>).map((a) => ({
    ...a,
    labels: strip(a.labels),
  }));
  return {
    ...base,
    groupKey: `{}:{alertname="${name}"}`,
    commonLabels: strip(base.commonLabels as Record<string, string>),
    alerts,
  };
}

async function post(url: string, body: object): Promise<unknown> {
  const response = await fetch(`${url}/alerts/shop/gitops`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ALERT_TOKEN}` },
    body: JSON.stringify(body),
  });
  return response.json();
}

/** The alertnames of the incident issues, in the order Remedy asked GitHub to create them. */
function issueOrder(h: Harness): string[] {
  return h.github.requests
    .filter((r) => r.method === "POST" && /\/repos\/shop\/gitops\/issues$/.test(r.path))
    .map(
      (r) =>
        /\b(Blocker|Critical|Warning|Info|Unknown|Sneaky)\w*/.exec(
          String((r.body as { title?: unknown }).title),
        )?.[0] ?? "?",
    );
}

describe("queued incidents start by severity", () => {
  it("with one slot busy, waiting alerts start critical, warning, info, then unknown, FIFO within a level", async () => {
    const harness = await app.start({ env: { REMEDY_WORK_CONCURRENCY: "1" } });
    // The first incident's issue creation stalls, so every later alert waits for the one slot.
    harness.github.failures.push({ method: "POST", path: /\/issues$/, delayMs: 1500, times: 1 });
    const url = await harness.listen();
    expect(await post(url, alertOf("Blocker", "info"))).toEqual({ status: "accepted" });
    await new Promise((r) => setTimeout(r, 300));
    const queued: Array<[string, string | null]> = [
      ["InfoOne", "info"],
      ["Unknown", null],
      ["SneakyConstructor", "constructor"],
      ["WarningOne", "warning"],
      ["CriticalOne", "critical"],
      ["InfoTwo", "info"],
      ["CriticalTwo", "CRITICAL"],
      ["WarningTwo", "warning"],
    ];
    for (const [name, severity] of queued)
      expect(await post(url, alertOf(name, severity))).toEqual({ status: "accepted" });
    await harness.runtime.idle();
    expect(issueOrder(harness)).toEqual([
      "Blocker",
      "CriticalOne",
      "CriticalTwo",
      "WarningOne",
      "WarningTwo",
      "InfoOne",
      "InfoTwo",
      "Unknown",
      "SneakyConstructor",
    ]);
  });
});

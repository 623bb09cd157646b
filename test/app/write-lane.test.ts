import { describe, expect, it } from "vitest";
import { WorkGate } from "../../src/app/work-gate.js";
import { asFollowUp, spacedByThrottle, withUrgency, WriteLanes } from "../../src/app/write-lane.js";
import { useRemedyApp } from "./app-test.js";
import { ALERT_TOKEN, firingAlert, type Harness } from "./harness.js";

const app = useRemedyApp();

/** Fast retries: three attempts in all, a few milliseconds apart. */
const FAST = { REMEDY_RETRY_ATTEMPTS: "3", REMEDY_RETRY_BASE_MS: "5" };

/** A firing notification of its own group and service, with the given severity. */
function alertOf(name: string, service: string, severity: string): Record<string, unknown> {
  const base = firingAlert({ alertname: name, service, fingerprint: `f-${name}` });
  const labels = { ...(base.commonLabels as Record<string, string>), severity };
  return {
    ...base,
    groupKey: `{}:{alertname="${name}"}`,
    commonLabels: labels,
    alerts: (base.alerts as Array<Record<string, unknown>>).map((a) => ({ ...a, labels })),
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

/** Which alert each write GitHub received belongs to, by the issue title or the branch it names. */
function writesOf(h: Harness, names: readonly string[]): string[] {
  return h.github.requests
    .filter((r) => r.method === "POST" && /\/repos\/shop\/gitops\/issues$/.test(r.path))
    .map((r) => names.find((n) => String((r.body as { title?: unknown }).title).includes(n)) ?? "?");
}

function ledger(h: Harness): Array<Record<string, unknown>> {
  return (h.github.file("ledger.jsonl", "remedy-audit") ?? "")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("GitHub writes under one installation go out the most urgent first (the write lane)", () => {
  it("under Probot's throttle, a critical alert that arrives after a warning writes first while both wait for the lane", async () => {
    // Probot's throttle with 250 ms between writes (750 ms between notifying ones) instead of 1 s.
    const h = await app.start({ env: { REMEDY_WORK_CONCURRENCY: "8" }, throttleMs: 250 });
    const url = await h.listen();
    expect(await post(url, alertOf("HighLatencyInfo", "storefront", "info"))).toEqual({
      status: "accepted",
    });
    // Its issue is open. A second info alert's issue must now wait out the throttle's spacing of
    // notifying writes, holding the lane, while a warning and then a critical alert arrive and
    // their first writes queue behind it.
    while (writesOf(h, ["Info"]).length === 0) await new Promise((r) => setTimeout(r, 2));
    const second = post(url, alertOf("HighLatencyInfoTwo", "inventory", "info"));
    await new Promise((r) => setTimeout(r, 150));
    const warning = post(url, alertOf("HighLatencyWarning", "cart", "warning"));
    await new Promise((r) => setTimeout(r, 10));
    const critical = post(url, alertOf("HighLatencyCritical", "notifier", "critical"));
    expect(await Promise.all([second, warning, critical])).toEqual([
      { status: "accepted" },
      { status: "accepted" },
      { status: "accepted" },
    ]);
    await h.runtime.idle();
    const order = writesOf(h, ["InfoTwo", "Info", "Warning", "Critical"]);
    expect(order[0]).toBe("Info");
    // The critical alert's issue before the warning's that reached the lane first; an info alert
    // waiting as long as either goes after both.
    expect(order.slice(1)).toEqual(["Critical", "Warning", "InfoTwo"].filter((n) => order.includes(n)));
    expect(order).toHaveLength(4);
  }, 60_000);
});

describe("invariant 7: a follow-up write queued behind other work is still the work's", () => {
  it("a PR's finishing writes that GitHub refuses with 502 fail the work, which is retried until the PR is labelled and recorded", async () => {
    const h = await app.start({ env: FAST });
    // The finishing batch gets no clear answer, and so does its REST redo of the labels.
    h.github.failures.push(
      { method: "POST", path: /^\/graphql$/, query: /mutation RemedyFinish\(/, status: 502, times: 1 },
      { method: "POST", path: /\/issues\/\d+\/labels$/, status: 502, times: 1 },
    );
    const url = await h.listen();
    expect(await post(url, firingAlert())).toEqual({ status: "accepted" });
    await h.runtime.idle();
    const pulls = h.github.pulls();
    expect(pulls).toHaveLength(1);
    const pr = pulls[0]!;
    expect(h.logs.filter((l) => l.includes('"work failed; retrying"'))).toHaveLength(1);
    // The retry found Remedy's own PR and completed it: labels, and the record that makes it Remedy's.
    expect(pr.labels).toContain("remedy");
    expect(ledger(h).filter((e) => e.kind === "pr.opened" && e.pr === pr.number)).toHaveLength(1);
    expect(await h.runtime.inbox.list()).toEqual([]);
  });
});

describe("the write lane mirrors what Probot's throttle spaces", () => {
  it("GETs and the token exchange pass at once; writes and every GraphQL request queue", () => {
    expect(spacedByThrottle("GET", "/repos/shop/gitops/pulls?state=all")).toBe(false);
    expect(spacedByThrottle("HEAD", "/repos/shop/gitops")).toBe(false);
    expect(spacedByThrottle("POST", "/app/installations/4242/access_tokens")).toBe(false);
    expect(spacedByThrottle("POST", "/graphql")).toBe(true);
    expect(spacedByThrottle("POST", "https://api.github.com/graphql")).toBe(true);
    expect(spacedByThrottle("POST", "/repos/shop/gitops/issues")).toBe(true);
    expect(spacedByThrottle("PATCH", "/repos/shop/gitops/issues/3")).toBe(true);
    expect(spacedByThrottle("DELETE", "/repos/shop/gitops/issues/3/labels/x")).toBe(true);
  });

  it("a follow-up waits behind every other work's writes, and keeps its own work's rank among follow-ups", async () => {
    const lanes = new WriteLanes();
    const sent: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const write = (name: string, wait?: Promise<void>) => () =>
      lanes.run("4242", "POST", "/graphql", async () => {
        await wait;
        sent.push(name);
      });
    // The first write holds the lane while the others arrive, in the worst order.
    const first = withUrgency({ rank: 2, order: 1 }, write("warning: issue", gate));
    const queued = [
      withUrgency({ rank: 2, order: 1 }, () => asFollowUp(write("warning: labels"))),
      withUrgency({ rank: 1, order: 3 }, () => asFollowUp(write("critical: labels"))),
      withUrgency({ rank: 2, order: 2 }, write("warning 2: branch")),
      withUrgency({ rank: 1, order: 3 }, write("critical: branch")),
      lanes.run("other-installation", "POST", "/graphql", async () => void sent.push("elsewhere")),
    ];
    await new Promise((r) => setTimeout(r, 10));
    expect(sent).toEqual(["elsewhere"]);
    expect(lanes.waiting).toBe(4);
    open();
    await Promise.all([first, ...queued]);
    expect(sent).toEqual([
      "elsewhere",
      "warning: issue",
      "critical: branch",
      "warning 2: branch",
      "critical: labels",
      "warning: labels",
    ]);
  });
});

describe("work waiting only on follow-up writes gives its slot back", () => {
  it("the next waiting task starts in the released slot; the released task's key stays busy", async () => {
    const gate = new WorkGate(1);
    const started: string[] = [];
    let finishFirst!: () => void;
    const firstDone = new Promise<void>((resolve) => (finishFirst = resolve));
    const first = gate.run("a", 1, async (release) => {
      started.push("a1");
      release();
      release(); // a second release frees nothing more
      await firstDone;
    });
    const sameKey = gate.run("a", 0, async () => void started.push("a2"));
    const other = gate.run("b", 2, async () => void started.push("b"));
    const third = gate.run("c", 2, async () => void started.push("c"));
    await other;
    await third;
    // b and c ran one after the other in the one released slot; a2 waits for a1 to end.
    expect(started).toEqual(["a1", "b", "c"]);
    finishFirst();
    await Promise.all([first, sameKey]);
    expect(started).toEqual(["a1", "b", "c", "a2"]);
  });
});

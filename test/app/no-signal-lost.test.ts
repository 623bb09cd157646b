import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WorkInbox } from "../../src/app/work-inbox.js";
import { useRemedyApp } from "./app-test.js";
import { PR_CREATION, pullCreations } from "./fake-github.js";
import { ALERT_TOKEN, firingAlert, issueOpened, type Harness } from "./harness.js";

const app = useRemedyApp();

/** Fast retries: three attempts in all, a few milliseconds apart. */
const FAST = { REMEDY_RETRY_ATTEMPTS: "3", REMEDY_RETRY_BASE_MS: "5" };

async function post(url: string, body: object): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${url}/alerts/shop/gitops`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ALERT_TOKEN}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function incidents(h: Harness) {
  return [...h.github.issues.values()].filter((i) => i.pull === undefined);
}

function errorLines(h: Harness): Array<Record<string, unknown>> {
  return h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => Number(l.level) >= 50);
}

async function metric(h: Harness, line: RegExp): Promise<number> {
  const { body } = await h.runtime.metrics.text();
  const found = body.split("\n").find((l) => line.test(l));
  return found === undefined ? 0 : Number(found.split(" ").at(-1));
}

describe("invariant 7: a signal that Remedy accepted is never lost", () => {
  it("retries an alert whose incident issue GitHub refused with 502, then opens the issue and the PR", async () => {
    const h = await app.start({ env: FAST });
    h.github.failures.push({ method: "POST", path: /\/issues$/, status: 502, times: 2 });
    const url = await h.listen();
    expect((await post(url, firingAlert())).json).toEqual({ status: "accepted" });
    await h.runtime.idle();
    expect(incidents(h)).toHaveLength(1);
    expect(h.github.pulls()).toHaveLength(1);
    const retries = h.logs.filter((l) => l.includes('"work failed; retrying"'));
    expect(retries).toHaveLength(2);
    expect(retries[0]).toContain("GitHub answered 502");
    expect(await h.runtime.inbox.list()).toEqual([]);
    expect(await metric(h, /^remedy_signals_lost_total\{/)).toBe(0);
  });

  it("retries a PR that GitHub refused to open with 500 and completes it on Remedy's own branch, one commit", async () => {
    const h = await app.start({ env: FAST });
    const issue = h.github.addIssue({
      title: "storefront prod: p99 latency high under traffic spike, scale to 8",
      body: "Checkout pages are slow since 09:50. Please scale up.",
      labels: ["incident"],
      user: "alice",
    });
    h.github.failures.push({ ...PR_CREATION, status: 500, times: 1 });
    await h.probot.receive({ id: "d-pulls", name: "issues", payload: issueOpened({ ...issue }) } as never);
    await h.runtime.idle();
    expect(h.github.pulls()).toHaveLength(1);
    // The injected 500 was met (read back, nothing there), then the retry opened it.
    expect(pullCreations(h.github.requests)).toHaveLength(2);
    const commits = h.github.requests.filter(
      (r) =>
        r.method === "POST" &&
        r.path === "/graphql" &&
        JSON.stringify(r.body).includes("createCommitOnBranch") &&
        JSON.stringify(r.body).includes("remedy/storefront"),
    );
    expect(commits).toHaveLength(1);
    expect(h.github.comments.filter((c) => c.body.includes("work-failed"))).toEqual([]);
  });

  it("after the last attempt with no issue to comment on: an error log, the lost metric, and the claim given back so the re-send is handled", async () => {
    const h = await app.start({ env: FAST });
    h.github.failures.push({ method: "POST", path: /\/issues$/, status: 503, times: 3 });
    const url = await h.listen();
    expect((await post(url, firingAlert())).json).toEqual({ status: "accepted" });
    await h.runtime.idle();
    expect(incidents(h)).toHaveLength(0);
    const given = errorLines(h).find(
      (l) => l.msg === "work failed and was given up; no one could be told but this log",
    );
    expect(given).toMatchObject({
      attempts: 3,
      kind: "transient",
      status: 503,
      work: "alert",
      reported: null,
    });
    expect(await metric(h, /^remedy_signals_lost_total\{work="alert"\}/)).toBe(1);
    expect(await h.runtime.inbox.list()).toEqual([]);
    // Alertmanager re-sends the same notification (repeat_interval): no longer a "duplicate".
    expect((await post(url, firingAlert())).json).toEqual({ status: "accepted" });
    await h.runtime.idle();
    expect(incidents(h)).toHaveLength(1);
    expect(h.github.pulls()).toHaveLength(1);
  });

  it("a permanent 422 is not retried: the incident issue gets a comment with GitHub's answer and /propose, and the redelivery is handled", async () => {
    const h = await app.start({ env: FAST });
    const issue = h.github.addIssue({
      title: "storefront prod: p99 latency high under traffic spike, scale to 8",
      body: "Checkout pages are slow since 09:50. Please scale up.",
      labels: ["incident"],
      user: "alice",
    });
    // The branch for the PR cannot be created: GitHub rejects it as invalid, both in the one request
    // that takes the branch with its commit and in the branch alone that Remedy then reads back with.
    h.github.failures.push(
      { method: "POST", path: /^\/graphql$/, query: /RemedyBranchCommit/, status: 422, times: 99 },
      { method: "POST", path: /\/git\/refs$/, status: 422, times: 99 },
    );
    await h.probot.receive({ id: "d-422", name: "issues", payload: issueOpened({ ...issue }) } as never);
    await h.runtime.idle();
    expect(h.github.pulls()).toHaveLength(0);
    const report = h.github.comments.find((c) => c.issue === issue.number && c.body.includes("work-failed"));
    expect(report?.body).toContain("HTTP 422");
    expect(report?.body).toContain("injected 422");
    expect(report?.body).toContain("did not retry it");
    expect(report?.body).toContain("`/propose`");
    expect(h.logs.filter((l) => l.includes('"work failed; retrying"'))).toEqual([]);
    expect(await metric(h, /^remedy_work_failed_reported_total\{work="issue"\}/)).toBe(1);
    // GitHub redelivers the same delivery id: the claim was given back, so it is handled this time.
    h.github.failures.length = 0;
    await h.probot.receive({ id: "d-422", name: "issues", payload: issueOpened({ ...issue }) } as never);
    await h.runtime.idle();
    expect(h.github.pulls()).toHaveLength(1);
  });

  it("a webhook whose work cannot be stored gives its delivery claim back, so GitHub's redelivery is handled", async () => {
    const h = await app.start({ env: FAST });
    const issue = h.github.addIssue({
      title: "storefront prod: p99 latency high under traffic spike, scale to 8",
      body: "Checkout pages are slow since 09:50. Please scale up.",
      labels: ["incident"],
      user: "alice",
    });
    // The store fails once while the delivery is being accepted (a full disk, Redis gone for a moment).
    const put = h.runtime.inbox.put.bind(h.runtime.inbox);
    let failures = 1;
    h.runtime.inbox.put = async (item) => {
      if (failures-- > 0) throw new Error("injected: the inbox is unavailable");
      return put(item);
    };
    await h.probot.receive({ id: "d-unstored", name: "issues", payload: issueOpened({ ...issue }) } as never);
    await h.runtime.idle();
    expect(h.github.pulls()).toHaveLength(0);
    expect(errorLines(h).map((l) => l.msg)).toContain("could not accept the event");
    await h.probot.receive({ id: "d-unstored", name: "issues", payload: issueOpened({ ...issue }) } as never);
    await h.runtime.idle();
    expect(h.github.pulls()).toHaveLength(1);
  });

  it("an alert whose PR GitHub refuses (GraphQL UNPROCESSABLE) is reported on the incident issue the alert opened, not retried, with its fingerprints' claims given back", async () => {
    const h = await app.start({ env: FAST });
    h.github.failures.push({
      ...PR_CREATION,
      graphqlErrors: [
        { type: "UNPROCESSABLE", message: "Base branch was modified. Review and try the merge again." },
      ],
      times: 99,
    });
    const url = await h.listen();
    expect((await post(url, firingAlert())).json).toEqual({ status: "accepted" });
    await h.runtime.idle();
    const [incident] = incidents(h);
    expect(incident).toBeDefined();
    const report = h.github.comments.find(
      (c) => c.issue === incident?.number && c.body.includes("work-failed"),
    );
    expect(report?.body).toContain("the Alertmanager notification for this incident");
    expect(report?.body).toContain("GraphQL errors (UNPROCESSABLE)");
    expect(report?.body).toContain("Base branch was modified");
    expect(report?.body).toContain("did not retry it");
    expect(report?.body).toContain("`/propose`");
    expect(h.github.pulls()).toHaveLength(0);
    // A refusal is permanent: asked once, not once per retry attempt.
    expect(pullCreations(h.github.requests)).toHaveLength(1);
    // The same notification again: handled (not "duplicate"), and it completes Remedy's own branch.
    h.github.failures.length = 0;
    expect((await post(url, firingAlert())).json).toEqual({ status: "accepted" });
    await h.runtime.idle();
    expect(h.github.pulls()).toHaveLength(1);
    expect(incidents(h)).toHaveLength(1);
  });

  it("keeps a failed item stored with its attempt count and not-before time, and a restart resumes it", async () => {
    const first = await app.start({ env: { REMEDY_RETRY_ATTEMPTS: "5", REMEDY_RETRY_BASE_MS: "60000" } });
    first.github.failures.push({ method: "POST", path: /\/issues$/, status: 500, times: 1 });
    const url = await first.listen();
    const before = Date.now();
    expect((await post(url, firingAlert())).json).toEqual({ status: "accepted" });
    let stored = await first.runtime.inbox.list();
    for (let i = 0; i < 200 && stored[0]?.attempts !== 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      stored = await first.runtime.inbox.list();
    }
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      attempts: 1,
      lastError: expect.stringContaining("GitHub answered 500"),
    });
    // First retry: 30–60 s after the failure (equal jitter on a 60 s base).
    expect(stored[0]?.notBefore).toBeGreaterThanOrEqual(before + 30_000);
    expect(stored[0]?.notBefore).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(incidents(first)).toHaveLength(0);
    // The process stops while the item waits: it stays in the inbox for the next start.
    first.runtime.stop();
    await first.runtime.idle();
    expect(await first.runtime.inbox.list()).toHaveLength(1);
    await app.finish();

    // A restart finds the stored item (here with its retry due in 400 ms) and waits for its time.
    const dataDir = await mkdtemp(join(tmpdir(), "remedy-restart-"));
    const notBefore = Date.now() + 400;
    const inbox = new WorkInbox(dataDir);
    await inbox.put({ ...stored[0]!, notBefore });
    const harness = await app.start({ dataDir, env: { REMEDY_RETRY_BASE_MS: "5" } });
    await harness.runtime.idle();
    expect(Date.now()).toBeGreaterThanOrEqual(notBefore);
    const created = harness.github.requests.findIndex((r) => r.method === "POST" && /\/issues$/.test(r.path));
    expect(created).toBeGreaterThanOrEqual(0);
    expect(incidents(harness)).toHaveLength(1);
    expect(harness.github.pulls()).toHaveLength(1);
    expect(await harness.runtime.inbox.list()).toEqual([]);
  });
});

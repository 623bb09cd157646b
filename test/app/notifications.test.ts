/**
 * `notify:` (issue #13) through Probot: a local HTTP receiver (node:http on 127.0.0.1, port 0) named
 * by `REMEDY_NOTIFY_*` gets the PR opened and escalation events with the owners; a receiver that
 * answers 500 or never answers does not keep the PR from opening.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { useRemedyApp } from "./app-test.js";
import { FakeGitHub, exampleRepository } from "./fake-github.js";
import { issueOpened, pullRequestMerged, type Harness } from "./harness.js";
import { badPrometheus, failingVerificationFiles, ledgerKinds, until } from "./failing-verification.js";

const closers: Array<() => Promise<void>> = [];
const app = useRemedyApp(async () => {
  for (const close of closers.splice(0)) await close();
});

type Mode = "ok" | "500" | "hang";

async function receiver(mode: Mode): Promise<{ url: string; received: Array<Record<string, unknown>> }> {
  const received: Array<Record<string, unknown>> = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>);
      if (mode === "hang") hanging.push(res);
      else res.writeHead(mode === "ok" ? 204 : 500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

function repositoryWithNotify(prometheus?: string): FakeGitHub {
  const files = prometheus === undefined ? exampleRepository() : failingVerificationFiles(prometheus);
  files[".github/remedy.yml"] =
    `${files[".github/remedy.yml"]}\nnotify:\n  webhook: { url_env: REMEDY_NOTIFY_HOOK }\n`;
  return new FakeGitHub(files);
}

async function openIncident(h: Harness, title: string): Promise<number> {
  const issue = h.github.addIssue({ title, body: "Since 09:50.", labels: ["incident"], user: "alice" });
  await h.probot.receive({
    id: `d-${issue.number}`,
    name: "issues",
    payload: issueOpened({ ...issue }),
  } as never);
  await h.runtime.idle();
  return issue.number;
}

const SCALE = "storefront prod: p99 latency high under traffic spike, scale to 8";

async function metric(h: Harness, line: RegExp): Promise<number> {
  const { body } = await h.runtime.metrics.text();
  const found = body.split("\n").find((l) => line.test(l));
  return found === undefined ? 0 : Number(found.split(" ").at(-1));
}

/** A writer's incident gets a PR, a reviewer merges it, and its verification fails (a bad Prometheus). */
async function failedChange(h: Harness, title: string): Promise<void> {
  const issue = await openIncident(h, title);
  const pr = h.github.pulls().find((p) => p.body.includes(`#${issue}`) && p.pull?.mergedAt === null);
  if (pr?.pull === undefined) throw new Error(`no PR for ${title}`);
  const failed = () => ledgerKinds(h).filter((k) => k === "verify.failed").length;
  const before = failed();
  const mergeSha = h.github.mergePullRequest(pr.number);
  await h.probot.receive({
    id: `merged-${pr.number}`,
    name: "pull_request",
    payload: pullRequestMerged({
      number: pr.number,
      body: pr.body,
      head: pr.pull.head,
      mergeSha,
      labels: pr.labels,
    }),
  } as never);
  await until(h, `#${pr.number} to fail verification`, () => failed() > before);
}

describe("notifications, through the App", () => {
  it("the receiver gets the PR opened, with the service's owners", async () => {
    const hook = await receiver("ok");
    const harness = await app.start({
      github: repositoryWithNotify(),
      env: { REMEDY_NOTIFY_HOOK: hook.url },
    });
    const issue = await openIncident(harness, SCALE);
    const pr = harness.github.pulls()[0];
    expect(pr).toBeDefined();
    expect(hook.received).toEqual([
      expect.objectContaining({
        version: 1,
        source: "remedy",
        event: "pr_opened",
        repo: "shop/gitops",
        incident: issue,
        pr: pr?.number,
        mentions: ["@shop/web"],
      }),
    ]);
  });

  it("an escalation reaches it with the owners mentioned", async () => {
    const hook = await receiver("ok");
    const harness = await app.start({
      github: repositoryWithNotify(),
      env: { REMEDY_NOTIFY_HOOK: hook.url },
    });
    const issue = await openIncident(harness, "storefront prod: postgres replication lag, database deadlock");
    expect(harness.github.pulls()).toEqual([]);
    expect(hook.received).toEqual([
      expect.objectContaining({ event: "escalation", incident: issue, mentions: ["@shop/web"] }),
    ]);
  });

  it.each(["500", "hang"] as const)(
    "a receiver that answers %s never keeps the PR from opening",
    async (mode) => {
      const hook = await receiver(mode);
      const harness = await app.start({
        github: repositoryWithNotify(),
        env: { REMEDY_NOTIFY_HOOK: hook.url },
      });
      await openIncident(harness, SCALE);
      expect(harness.github.pulls()).toHaveLength(1);
      expect(hook.received.map((n) => n.event)).toEqual(["pr_opened"]);
      expect(harness.logs.join("")).toMatch(/notification not delivered/);
      // Counted, so a dead receiver shows on a dashboard rather than only in the logs.
      expect(await metric(harness, /^remedy_notifications_total\{channel="webhook",result="failed"\}/)).toBe(
        1,
      );
      expect(await metric(harness, /^remedy_notifications_total\{channel="webhook",result="sent"\}/)).toBe(0);
    },
    20_000,
  );

  it("a failed verification's verdict reaches it, with the owners", async () => {
    const hook = await receiver("ok");
    const prometheus = await badPrometheus();
    closers.push(prometheus.close);
    const h = await app.start({
      github: repositoryWithNotify(prometheus.url),
      env: { REMEDY_NOTIFY_HOOK: hook.url },
    });
    await openIncident(h, SCALE);
    const pr = h.github.pulls()[0];
    if (pr?.pull === undefined) throw new Error("no PR");
    const mergeSha = h.github.mergePullRequest(pr.number);
    await h.probot.receive({
      id: "merged",
      name: "pull_request",
      payload: pullRequestMerged({
        number: pr.number,
        body: pr.body,
        head: pr.pull.head,
        mergeSha,
        labels: pr.labels,
      }),
    } as never);
    await until(h, "the verdict", () => hook.received.some((n) => n.event === "verification_failed"));
    expect(hook.received.find((n) => n.event === "verification_failed")).toMatchObject({
      pr: pr.number,
      mentions: expect.arrayContaining(["@shop/web"]),
    });
  }, 30_000);

  it("the circuit breaker's trip reaches it, naming the issue Remedy opened, with the owners", async () => {
    const hook = await receiver("ok");
    const prometheus = await badPrometheus();
    closers.push(prometheus.close);
    const h = await app.start({
      github: repositoryWithNotify(prometheus.url),
      env: { REMEDY_NOTIFY_HOOK: hook.url },
    });
    await failedChange(h, "storefront prod: p99 latency high under traffic spike, scale up");
    expect(hook.received.map((n) => n.event)).not.toContain("breaker_tripped");
    await failedChange(h, "cart prod: p99 latency high under traffic spike, scale up");
    await until(h, "the trip's notification", () => hook.received.some((n) => n.event === "breaker_tripped"));
    const breaker = [...h.github.issues.values()].find(
      (i) => i.pull === undefined && i.labels.includes("remedy:breaker"),
    );
    expect(breaker).toBeDefined();
    const trips = hook.received.filter((n) => n.event === "breaker_tripped");
    expect(trips).toHaveLength(1);
    expect(trips[0]).toMatchObject({
      repo: "shop/gitops",
      mentions: expect.arrayContaining(["@shop/checkout"]),
    });
    expect(String(trips[0]?.url)).toContain(`/issues/${breaker?.number}`);
  }, 60_000);
});

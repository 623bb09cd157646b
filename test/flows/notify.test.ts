/** SPEC §3.1 `notify:`: Slack and generic JSON webhooks, never blocking or failing the loop. */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebhookNotifier } from "../../src/adapters/webhook-notifier.js";
import { RepoConfig } from "../../src/config/repo-config.js";
import type { Notification } from "../../src/notify/notification.js";
import type { Logger } from "../../src/flows/deps.js";
import { onIncidentIssue } from "../../src/flows/on-issue.js";
import { startVerification } from "../../src/flows/start-verification.js";
import { verificationTick } from "../../src/flows/verification-tick.js";
import type { PullRequest } from "../../src/forge/forge.js";
import { nextEvaluationAt } from "../../src/verification/next-evaluation-at.js";
import { ScriptedHealth } from "../../src/verification/scripted-health.js";
import { CHECKOUT_PROD, fixtureFiles, REMEDY_YML } from "../core/fixture-repo.js";
import { flowHarness } from "../e2e/fixtures/flow-harness.js";

interface Received {
  path: string;
  body: unknown;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A real HTTP receiver on localhost: answers `status` (or never, for "hang"). */
async function receiver(status: number | "hang" = 200): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    req.on("end", () => {
      received.push({ path: req.url ?? "", body: JSON.parse(text) as unknown });
      if (status === "hang") return;
      res.statusCode = status;
      res.end("ok");
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received };
}

const NOTIFY = `notify:
  slack: { url_env: REMEDY_NOTIFY_SLACK }
  webhook: { url_env: REMEDY_NOTIFY_HOOK }
`;

function setup(env: Record<string, string>, timeoutMs = 2_000) {
  // Latency stays bad, so a verification fails.
  const health = new ScriptedHealth({ latency_p99: [0.9] });
  const h = flowHarness(() => ({ health, rollout: health }), { start: "2026-11-21T10:00:00.000Z" });
  const logs: Array<{ meta: Record<string, unknown>; message: string }> = [];
  const log: Logger = {
    info: () => undefined,
    warn: (meta, message) => logs.push({ meta, message }),
    error: (meta, message) => logs.push({ meta, message }),
  };
  h.deps.log = log;
  h.deps.notifier = new WebhookNotifier({ env, timeoutMs });
  h.forge.seedCommit(
    "main",
    fixtureFiles({
      ".github/remedy.yml": `${REMEDY_YML}${NOTIFY}`,
      "manifests/checkout-api/overlays/prod/kustomization.yaml": CHECKOUT_PROD,
    }),
    "initial",
    "2026-11-20T10:00:00Z",
  );
  return { ...h, logs };
}

const issue = (h: ReturnType<typeof setup>, title: string) =>
  onIncidentIssue(h.deps, h.forge.openIssueAs("oncall", { title, body: "", labels: ["incident"] }));

describe("notifications", () => {
  it("an escalation reaches Slack and the JSON webhook with their payload shapes, owners mentioned", async () => {
    const slack = await receiver();
    const hook = await receiver();
    const h = setup({
      REMEDY_NOTIFY_SLACK: `${slack.url}/services/T/B/x`,
      REMEDY_NOTIFY_HOOK: `${hook.url}/remedy`,
    });
    const result = await issue(h, "checkout-api prod: data loss suspected in orders");
    expect(result?.outcome?.decision).toBe("escalate");
    expect(slack.received).toHaveLength(1);
    expect(slack.received[0]?.path).toBe("/services/T/B/x");
    const text = (slack.received[0]?.body as { text: string }).text;
    expect(text).toMatch(
      /^\*A human must act on checkout-api\* \(acme\/gitops\) <https:\/\/github\.com\/acme\/gitops\/issues\/\d+\|open>/,
    );
    expect(text).toContain("@acme/payments");
    expect(hook.received[0]?.body).toMatchObject({
      version: 1,
      source: "remedy",
      event: "escalation",
      repo: "acme/gitops",
      incident: expect.any(Number),
      mentions: ["@acme/payments"],
    });
  });

  it("a PR opened is notified with its URL", async () => {
    const hook = await receiver();
    const h = setup({ REMEDY_NOTIFY_HOOK: hook.url });
    const result = await issue(h, "checkout-api prod p99 latency high, scale up");
    expect(result?.proposal?.status).toBe("opened");
    const body = hook.received[0]?.body as { event: string; url: string; pr: number };
    expect(body.event).toBe("pr_opened");
    expect(body.pr).toBe(result?.proposal?.status === "opened" ? result.proposal.pr.number : -1);
    // Slack's variable is unset: logged as not delivered, nothing else happens.
    expect(h.logs.some((l) => l.message === "notification not delivered" && l.meta.channel === "slack")).toBe(
      true,
    );
  });

  it("a failed verification is notified with the revert it opened", async () => {
    const hook = await receiver();
    const h = setup({ REMEDY_NOTIFY_HOOK: hook.url });
    await issue(h, "checkout-api prod p99 latency high, scale up");
    const pr = h.forge.pullRequests[0] as PullRequest;
    h.forge.merge(pr.number);
    let record = await startVerification(
      h.deps,
      h.forge.pullRequests.find((p) => p.number === pr.number) as PullRequest,
    );
    for (let n = 0; n < 50 && record !== null; n++) {
      const at = nextEvaluationAt(record.verdict);
      if (at === null) break;
      h.clock.ms = Math.max(h.clock.ms, Date.parse(at));
      const tick = await verificationTick(h.deps, record);
      record = tick.done ? null : tick.record;
    }
    const failed = hook.received
      .map((r) => r.body as { event: string; text: string; pr: number })
      .find((b) => b.event === "verification_failed");
    expect(failed?.pr).toBe(pr.number);
    expect(failed?.text).toMatch(/Revert PR: https:\/\/github\.com\/acme\/gitops\/pull\/\d+/);
  });

  it("a failing or hanging receiver never fails the flow; the URL is never logged", async () => {
    const broken = await receiver(500);
    const hanging = await receiver("hang");
    const h = setup(
      {
        REMEDY_NOTIFY_SLACK: `${broken.url}/secret-token-xyz`,
        REMEDY_NOTIFY_HOOK: `${hanging.url}/secret-token-abc`,
      },
      300,
    );
    const started = Date.now();
    const result = await issue(h, "checkout-api prod p99 latency high, scale up");
    expect(result?.proposal?.status).toBe("opened");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(broken.received).toHaveLength(1); // one attempt, no retry storm
    expect(hanging.received).toHaveLength(1);
    const reasons = h.logs
      .filter((l) => l.message === "notification not delivered")
      .map((l) => l.meta.reason);
    expect(reasons).toEqual(
      expect.arrayContaining(["slack answered HTTP 500", "webhook timed out after 300 ms"]),
    );
    expect(JSON.stringify(h.logs)).not.toContain("secret-token");
  });

  it("a metadata address is refused before any request", async () => {
    let called = 0;
    const notifier = new WebhookNotifier({
      env: {
        REMEDY_NOTIFY_HOOK: "http://169.254.169.254/latest/meta-data/",
        REMEDY_NOTIFY_G: "http://metadata.google.internal/x",
      },
      fetch: (async () => {
        called++;
        return new Response("");
      }) as typeof fetch,
    });
    const n: Notification = {
      event: "escalation",
      repo: "a/b",
      title: "t",
      text: "x",
      url: null,
      incident: 1,
      pr: null,
      mentions: [],
      at: "2026-11-21T10:00:00Z",
    };
    await expect(notifier.send("webhook", "REMEDY_NOTIFY_HOOK", n)).rejects.toThrow(/link-local/);
    await expect(notifier.send("webhook", "REMEDY_NOTIFY_G", n)).rejects.toThrow(/metadata host/);
    expect(called).toBe(0);
  });

  it("a repository config cannot point notify at another secret's variable or put a URL in the file", () => {
    for (const notify of [
      { webhook: { url_env: "REMEDY_ALERT_TOKEN" } },
      { webhook: { url_env: "REDIS_URL" } },
      { slack: { url: "https://hooks.slack.com/x" } },
    ]) {
      const parsed = RepoConfig.safeParse({ notify });
      expect(parsed.success).toBe(false);
    }
    expect(
      RepoConfig.safeParse({ notify: { webhook: { url_env: "REMEDY_NOTIFY_OPS" }, on: ["escalation"] } })
        .success,
    ).toBe(true);
  });
});

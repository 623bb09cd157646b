import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { describe, expect, it } from "vitest";
import { RATE_LIMIT_RETRIES, RemedyOctokit } from "../../src/app/remedy-octokit.js";
import { useRemedyApp } from "./app-test.js";
import { ALERT_TOKEN, firingAlert, type Harness } from "./harness.js";

const app = useRemedyApp();

async function post(url: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/alerts/shop/gitops`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ALERT_TOKEN}` },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

function incidents(h: Harness) {
  return [...h.github.issues.values()].filter((i) => i.pull === undefined);
}

/** GitHub stalls this long on the injected request: far longer than the client timeout. */
const STALL_MS = 20_000;

describe("bounded GitHub calls (REMEDY_GITHUB_TIMEOUT_MS)", () => {
  it("a stalled GitHub request fails as transient within the timeout and the retry completes the work", async () => {
    const h = await app.start({
      env: { REMEDY_GITHUB_TIMEOUT_MS: "2500", REMEDY_RETRY_ATTEMPTS: "3", REMEDY_RETRY_BASE_MS: "5" },
    });
    h.github.failures.push({ method: "POST", path: /\/issues$/, status: 502, delayMs: STALL_MS, times: 1 });
    const url = await h.listen();
    const started = Date.now();
    expect(await post(url, firingAlert())).toEqual({ status: "accepted" });
    await h.runtime.idle();
    expect(Date.now() - started).toBeLessThan(STALL_MS);
    expect(incidents(h)).toHaveLength(1);
    expect(h.github.pulls()).toHaveLength(1);
    const retry = h.logs.find((l) => l.includes('"work failed; retrying"'));
    expect(retry).toContain("the request timed out");
    expect(retry).toContain("GitHub did not answer POST /repos/{owner}/{repo}/issues within 2500 ms");
  }, 40_000);

  it("later events for the same incident are not held behind a stalled one", async () => {
    // The first notification's retry is due only in 30–60 s; it waits outside the group's queue.
    const h = await app.start({
      env: { REMEDY_GITHUB_TIMEOUT_MS: "2500", REMEDY_RETRY_BASE_MS: "60000" },
    });
    h.github.failures.push({ method: "POST", path: /\/issues$/, status: 502, delayMs: STALL_MS, times: 1 });
    const url = await h.listen();
    const started = Date.now();
    expect(await post(url, firingAlert())).toEqual({ status: "accepted" });
    expect(await post(url, firingAlert({ startsAt: "2026-03-02T09:58:00Z" }))).toEqual({
      status: "accepted",
    });
    const settled = async (): Promise<boolean> =>
      h.github.pulls().length > 0 && (await h.runtime.inbox.list()).length === 1;
    while (!(await settled()) && Date.now() - started < STALL_MS)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(Date.now() - started).toBeLessThan(STALL_MS);
    expect(incidents(h)).toHaveLength(1);
    expect(h.github.pulls()).toHaveLength(1);
    // The stalled one is still stored, waiting for its retry; stopping leaves it for the next start.
    expect((await h.runtime.inbox.list()).map((i) => i.attempts)).toEqual([1]);
    h.runtime.stop();
  }, 40_000);
});

describe("RemedyOctokit rate limits", () => {
  const secondary = {
    message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
  };
  function octokit(logs: string[]) {
    return new RemedyOctokit({
      auth: { token: "ghs_test" },
      retry: { enabled: false },
      // Retry-After in milliseconds instead of seconds, so the test does not wait.
      throttle: { retryAfterBaseValue: 1 },
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (message: string) => logs.push(message),
        error: () => undefined,
      },
    });
  }

  it("retries a secondary rate limit a bounded number of times, logging each, then succeeds", async () => {
    const logs: string[] = [];
    const scope = nock("https://api.github.com")
      .get("/repos/shop/gitops")
      .times(2)
      .reply(403, secondary, { "retry-after": "1" })
      .get("/repos/shop/gitops")
      .reply(200, { name: "gitops" });
    const { data } = await octokit(logs).request("GET /repos/{owner}/{repo}", {
      owner: "shop",
      repo: "gitops",
    });
    expect(data).toMatchObject({ name: "gitops" });
    expect(scope.isDone()).toBe(true);
    expect(logs.filter((l) => l.includes("secondary rate limit") && l.includes("retrying"))).toHaveLength(2);
  });

  it("gives up after the bound, and at once when GitHub asks for a long wait", async () => {
    const logs: string[] = [];
    nock("https://api.github.com")
      .get("/repos/shop/gitops")
      .times(RATE_LIMIT_RETRIES + 1)
      .reply(403, secondary, { "retry-after": "1" });
    await expect(
      octokit(logs).request("GET /repos/{owner}/{repo}", { owner: "shop", repo: "gitops" }),
    ).rejects.toMatchObject({ status: 403 });
    expect(logs.at(-1)).toContain("giving up");
    expect(nock.pendingMocks()).toEqual([]);

    nock("https://api.github.com").get("/repos/shop/gitops").reply(403, secondary, { "retry-after": "600" });
    await expect(
      octokit(logs).request("GET /repos/{owner}/{repo}", { owner: "shop", repo: "gitops" }),
    ).rejects.toMatchObject({ status: 403 });
    expect(logs.at(-1)).toContain("retry after 600 s");
    expect(logs.at(-1)).toContain("giving up");
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("keeps its handlers when Probot builds it with its own throttle options, as `remedy serve` does", async () => {
    const logs: string[] = [];
    const log = pino(
      { level: "info" },
      new Writable({ write: (chunk, _encoding, done) => (logs.push(String(chunk)), done()) }),
    );
    const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const probot = new Probot({ appId: 1, privateKey, log, Octokit: RemedyOctokit });
    const scope = nock("https://api.github.com")
      .get("/app")
      .reply(403, secondary, { "retry-after": "1" })
      .get("/app")
      .reply(200, { id: 1, slug: "remedy" });
    const octokit = await probot.auth();
    const { data } = await octokit.request("GET /app");
    expect(data).toMatchObject({ slug: "remedy" });
    expect(scope.isDone()).toBe(true);
    // Probot's own handler only warns and never retries a secondary rate limit; Remedy's retried.
    expect(logs.some((l) => l.includes("secondary rate limit on GET /app") && l.includes("retrying"))).toBe(
      true,
    );
  });
});

import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createRequire } from "node:module";
import Bottleneck from "bottleneck";
import nock from "nock";
import { expect } from "vitest";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import type { RemedyRuntime } from "../../src/app/remedy-runtime.js";
import remedy from "../../src/index.js";
import { BOT_LOGIN, FakeGitHub, INSTALLATION_ID, OWNER, REPO } from "./fake-github.js";

// The examples' JSON, as @octokit/webhooks-examples ships it (its typings do not describe the default export).
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as Array<{
  name: string;
  examples: Array<Record<string, unknown>>;
}>;

export const ALERT_TOKEN = "alert-token-for-tests-0123456789";
const PRIVATE_KEY = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();

/**
 * Retry and throttling off. A function, not an options object: Probot passes its own `throttle`
 * options to every instance, which would replace `{ enabled: false }` given as plain defaults and
 * leave the 1 s write throttle on.
 */
export const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object | undefined), enabled: false },
}));

/** Probot's Octokit as deployed (write throttle on), retry off: for the benchmark's honest figure. */
const ThrottledOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
}));

/**
 * Probot's write throttle with its spacing scaled down to `ms` between writes (and 3 × `ms` between
 * requests that notify, as the plugin's 1 s and 3 s), so a test sees the throttle's queueing in
 * milliseconds. The plugin's own code; only its limiters are given.
 */
function scaledThrottleOctokit(ms: number) {
  const group = (minTime: number) => new Bottleneck.Group({ maxConcurrent: 1, minTime });
  const write = group(ms);
  const notifications = group(3 * ms);
  return ProbotOctokit.defaults((options: Record<string, unknown>) => ({
    ...options,
    retry: { enabled: false },
    throttle: { ...(options.throttle as object | undefined), write, notifications },
  }));
}

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface Harness {
  probot: Probot;
  runtime: RemedyRuntime;
  github: FakeGitHub;
  logs: string[];
  dataDir: string;
  /** Base URL of the HTTP server (alerts), once `listen()` ran. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** How a test's Remedy is started; every field has a default. */
export interface StartOptions {
  delayMs?: number;
  github?: FakeGitHub;
  expectAuth?: boolean;
  throttle?: boolean;
  /** Probot's write throttle on, with its spacing scaled down to this many ms (instead of 1 s). */
  throttleMs?: number;
  /** REMEDY_RECOVER; "off" unless a test is about recovery, so no test pays for the scan. */
  recover?: "auto" | "always" | "off";
  /** More Remedy settings (REMEDY_RETRY_*, REMEDY_GITHUB_TIMEOUT_MS…) for this instance. */
  env?: Record<string, string>;
  /** An existing data directory (a restart of the same process); a new temp one by default. */
  dataDir?: string;
}

/**
 * Remedy loaded into a real Probot (retry and throttling off) against the fake GitHub, with a temp
 * REMEDY_DATA_DIR and logs captured as JSON lines.
 */
export async function startRemedy(options: StartOptions = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "remedy-app-")));
  const github = options.github ?? new FakeGitHub();
  github.mock(options.delayMs ?? 0, options.expectAuth ?? true);
  const logs: string[] = [];
  const log = pino(
    { level: "info" },
    new Writable({ write: (chunk, _encoding, done) => (logs.push(String(chunk)), done()) }),
  );
  const probot = new Probot({
    appId: 1,
    privateKey: PRIVATE_KEY,
    secret: "test",
    log,
    Octokit:
      options.throttleMs !== undefined
        ? scaledThrottleOctokit(options.throttleMs)
        : options.throttle === true
          ? ThrottledOctokit
          : TestOctokit,
  });
  const handlers: Handler[] = [];
  let runtime: RemedyRuntime | undefined;
  await probot.load(remedy, {
    cwd: process.cwd(),
    addHandler: (handler) => handlers.push(handler),
    remedyEnv: {
      REMEDY_DATA_DIR: dataDir,
      REMEDY_ALERT_TOKEN: ALERT_TOKEN,
      REMEDY_RECOVER: options.recover ?? "off",
      ...options.env,
    },
    onRuntime: (created: RemedyRuntime) => (runtime = created),
  });
  if (runtime === undefined) throw new Error("the app did not create its runtime");
  const ready = runtime;
  let server: Server | undefined;
  return {
    probot,
    runtime: ready,
    github,
    logs,
    dataDir,
    async listen() {
      server = createServer(async (req, res) => {
        for (const handler of handlers) if (await handler(req, res)) return;
        res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close() {
      nock.cleanAll();
      await ready.idle();
      ready.stop();
      await new Promise<void>((resolve) =>
        server === undefined ? resolve() : server.close(() => resolve()),
      );
      await rm(dataDir, { recursive: true, force: true });
      nock.cleanAll();
    },
  };
}

// --- webhook payloads from @octokit/webhooks-examples, pointed at the fake repository -------------

function example(
  name: string,
  action: string,
  pick: (payload: Record<string, unknown>) => boolean = () => true,
): Record<string, unknown> {
  const definition = examples.find((d) => d.name === name);
  const found = definition?.examples.find((e) => e.action === action && pick(e));
  if (found === undefined) throw new Error(`no ${name}.${action} example`);
  return structuredClone(found);
}

function repository(base: unknown): Record<string, unknown> {
  const repo = base as Record<string, unknown>;
  return {
    ...repo,
    name: REPO,
    full_name: `${OWNER}/${REPO}`,
    owner: { ...(repo.owner as object), login: OWNER },
  };
}

function user(login: string, type: "User" | "Bot" = "User"): Record<string, unknown> {
  return { login, id: login.length, node_id: `U_${login}`, type, site_admin: false };
}

export function issueOpened(issue: {
  number: number;
  title: string;
  body: string;
  labels: string[];
  user: string;
  senderType?: "User" | "Bot";
}): Record<string, unknown> {
  const payload = example("issues", "opened");
  const base = payload.issue as Record<string, unknown>;
  payload.issue = {
    ...base,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    labels: issue.labels.map((name, id) => ({ id, name, color: "ededed", default: false })),
    user: user(issue.user),
    html_url: `https://github.com/${OWNER}/${REPO}/issues/${issue.number}`,
    state: "open",
  };
  payload.repository = repository(payload.repository);
  payload.sender = user(issue.user, issue.senderType ?? "User");
  payload.installation = { id: INSTALLATION_ID, node_id: "I_1" };
  return payload;
}

export function commentCreated(comment: {
  issue: number;
  body: string;
  user: string;
  type?: "User" | "Bot";
  onPullRequest?: boolean;
  action?: "created" | "edited";
}): Record<string, unknown> {
  const payload = example("issue_comment", comment.action ?? "created");
  const issue = payload.issue as Record<string, unknown>;
  payload.issue = {
    ...issue,
    number: comment.issue,
    ...(comment.onPullRequest === true
      ? { pull_request: { url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${comment.issue}` } }
      : { pull_request: undefined }),
  };
  payload.comment = {
    ...(payload.comment as object),
    body: comment.body,
    user: user(comment.user, comment.type ?? "User"),
  };
  payload.repository = repository(payload.repository);
  payload.sender = user(comment.user, comment.type ?? "User");
  payload.installation = { id: INSTALLATION_ID, node_id: "I_1" };
  return payload;
}

export function pullRequestMerged(pr: {
  number: number;
  body: string;
  head: string;
  mergeSha: string;
  labels: string[];
  mergedAt?: string;
  /** Who opened the PR: Remedy's App unless a test says otherwise. */
  user?: string;
}): Record<string, unknown> {
  const payload = example("pull_request", "closed");
  const author = pr.user ?? BOT_LOGIN;
  payload.pull_request = {
    ...(payload.pull_request as object),
    user: user(author, author.endsWith("[bot]") ? "Bot" : "User"),
    number: pr.number,
    body: pr.body,
    merged: true,
    merged_at: pr.mergedAt ?? "2026-03-02T11:00:00Z",
    merge_commit_sha: pr.mergeSha,
    state: "closed",
    head: { ref: pr.head, sha: pr.mergeSha },
    base: { ref: "main", sha: pr.mergeSha },
    labels: pr.labels.map((name, id) => ({ id, name })),
  };
  payload.repository = repository(payload.repository);
  payload.installation = { id: INSTALLATION_ID, node_id: "I_1" };
  return payload;
}

/** "Re-run" on a check run of a PR, as GitHub sends it to the App that made the run. */
export function checkRunRerequested(run: {
  name: string;
  headSha: string;
  pr: number;
}): Record<string, unknown> {
  const payload = example("check_run", "rerequested");
  const checkRun = payload.check_run as Record<string, unknown>;
  payload.check_run = {
    ...checkRun,
    name: run.name,
    head_sha: run.headSha,
    pull_requests: [
      {
        url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${run.pr}`,
        id: run.pr,
        number: run.pr,
        head: { ref: "remedy/x", sha: run.headSha, repo: { id: 1, url: "", name: REPO } },
        base: { ref: "main", sha: run.headSha, repo: { id: 1, url: "", name: REPO } },
      },
    ],
  };
  payload.repository = repository(payload.repository);
  payload.installation = { id: INSTALLATION_ID, node_id: "I_1" };
  return payload;
}

/** A firing Alertmanager v4 notification for one alert. */
export function firingAlert(
  overrides: { startsAt?: string; fingerprint?: string; alertname?: string; service?: string } = {},
): Record<string, unknown> {
  const labels = {
    alertname: overrides.alertname ?? "HighLatency",
    service: overrides.service ?? "storefront",
    env: "prod",
    severity: "warning",
  };
  return {
    version: "4",
    groupKey: '{}/{severity="warning"}:{alertname="HighLatency"}',
    truncatedAlerts: 0,
    status: "firing",
    receiver: "remedy",
    groupLabels: { alertname: labels.alertname },
    commonLabels: labels,
    commonAnnotations: { summary: "storefront p99 latency above 400ms in prod" },
    externalURL: "http://alertmanager:9093",
    alerts: [
      {
        status: "firing",
        labels,
        annotations: { summary: "storefront p99 latency above 400ms in prod" },
        startsAt: overrides.startsAt ?? "2026-03-02T09:55:00Z",
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: "http://prometheus:9090/graph",
        fingerprint: overrides.fingerprint ?? "a1b2c3d4e5f60718",
      },
    ],
  };
}

/**
 * Ends a test: waits for background work, then fails on any request that broke GitHub's API
 * description, any mock left unused, and closes the server whatever happened.
 */
export async function finishHarness(harness: Harness | undefined): Promise<void> {
  if (harness === undefined) return;
  try {
    await harness.runtime.idle();
    expect(harness.github.problems()).toEqual([]);
    expect(nock.pendingMocks()).toEqual([]);
    expect(nock.isDone()).toBe(true);
  } finally {
    await harness.close();
  }
}

/**
 * Alert to PR under Probot's default write throttle (#14 item 4), with 100 ms simulated round trips
 * to GitHub: one alert in a warm process (goal ≤ 4 s), and 10 concurrent alert groups for 10
 * different services, half of them critical (goal: all 10 PRs ≤ 40 s, the critical ones first).
 *
 *   node --import tsx bench/run.ts throttled-latency
 */
import nock from "nock";
import { FakeGitHub } from "../test/app/fake-github.js";
import { ALERT_TOKEN, startRemedy } from "../test/app/harness.js";
import { alert, serviceName, stormRepository } from "../test/e2e/fixtures/replicas.js";

const ROUND_TRIP_MS = 100;
const WARM_GOAL_MS = 4000;
const CONCURRENT = 10;
const CONCURRENT_GOAL_MS = 40_000;
const GIVE_UP_MS = 120_000;
/** @octokit/plugin-throttling's spacing of content-creating REST requests (its "notifications" group). */
const NOTIFICATION_SPACING_MS = 3_000;

export async function bench(): Promise<string[]> {
  // Services 1 (the warm alert), 2..11 (the concurrent groups) and 12 (the warm-up): each alert's
  // service has no open Remedy PR yet (one field, one PR would reuse it and open none).
  const WARM_UP = CONCURRENT + 2;
  const github = new FakeGitHub(await stormRepository(WARM_UP));
  github.refs.set("remedy-audit", github.commit(null, { "ledger.jsonl": "" }, "audit: start"));
  const h = await startRemedy({ github, delayMs: ROUND_TRIP_MS, throttle: true });
  try {
    const url = await h.listen();
    const send = (body: string) =>
      fetch(`${url}/alerts/shop/gitops`, {
        method: "POST",
        headers: { authorization: `Bearer ${ALERT_TOKEN}`, "content-type": "application/json" },
        body,
      }).then((r) => {
        if (r.status !== 202) throw new Error(`alert answered ${r.status}`);
      });
    const lines: string[] = [];

    // Warm up on a service of its own (authentication, first reads), then time one alert.
    await send(alert(WARM_UP));
    await until(() => github.pulls().length >= 1);
    await h.runtime.idle();
    // Warm, not busy: an alert at 3 AM finds the throttle's last write (3 s for the content-creating
    // ones) behind it, not the warm-up's writes of a moment ago still spacing the next one.
    await new Promise((r) => setTimeout(r, NOTIFICATION_SPACING_MS));
    const from = github.requests.length;
    const started = performance.now();
    await send(alert(1, "critical"));
    const warm = await until(() => github.pulls().length >= 2);
    const onPath = github.requests.slice(from);
    const spaced = onPath.filter((r) => r.method !== "GET" || r.path.startsWith("/graphql"));
    await h.runtime.idle();
    if (process.env.BENCH_TRACE)
      for (const r of onPath) console.log(`${Math.round((r.at ?? 0) - started)} ms ${operation(r)}`);
    lines.push(
      `throttled-latency: alert → PR ${Math.round(warm - started)} ms in a warm process, throttle on, ${ROUND_TRIP_MS} ms round trips (goal ≤ ${WARM_GOAL_MS} ms)${warm - started <= WARM_GOAL_MS ? "" : " — over the goal"}`,
      `throttled-latency: on the way to that PR ${onPath.length} requests, ${spaced.length} of them spaced by the throttle (writes and GraphQL): ${spaced.map(operation).join(", ")}`,
    );

    // 10 groups at once for services 2..11 (service 1 already has its PR), critical on the even ones.
    const opened = new Map<string, number>();
    const before = new Set(github.pulls().map((p) => p.number));
    const severities = new Map<string, string>();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => {
        const n = i + 2;
        const severity = i % 2 === 0 ? "warning" : "critical";
        severities.set(serviceName(n), severity);
        return send(alert(n, severity));
      }),
    );
    await until(() => {
      for (const pr of github.pulls()) {
        if (before.has(pr.number)) continue;
        const service = /^remedy\/(svc-\d+)-/.exec(pr.pull?.head ?? "")?.[1];
        if (service !== undefined && !opened.has(service)) opened.set(service, performance.now() - t0);
      }
      return opened.size >= CONCURRENT;
    }, GIVE_UP_MS).catch(() => 0);
    const times = [...opened.values()].sort((a, b) => a - b);
    const last = times.at(-1) ?? Number.NaN;
    const order = [...opened.entries()].sort((a, b) => a[1] - b[1]).map(([s]) => severities.get(s));
    const criticalFirst = order.slice(0, CONCURRENT / 2).every((s) => s === "critical");
    const allIn = opened.size === CONCURRENT && last <= CONCURRENT_GOAL_MS;
    lines.push(
      `throttled-latency: ${opened.size} of ${CONCURRENT} concurrent groups got their PR, the last after ${(last / 1000).toFixed(1)} s (goal all ≤ ${CONCURRENT_GOAL_MS / 1000} s)${allIn ? "" : " — over the goal"}`,
      `throttled-latency: PR order by severity: ${order.join(", ")} (goal: critical first)${criticalFirst ? "" : " — over the goal"}`,
    );
    await h.runtime.idle();
    return lines;
  } finally {
    await h.close();
    nock.cleanAll();
    nock.enableNetConnect();
  }
}

/** "POST /issues", "graphql RemedyCommit": what a recorded request was, for the path line. */
function operation(r: { method: string; path: string; body: unknown }): string {
  if (r.path.startsWith("/graphql"))
    return `graphql ${/(?:query|mutation)\s+(\w+)/.exec(String((r.body as { query?: unknown })?.query))?.[1] ?? "?"}`;
  return `${r.method} ${r.path.replace(/^\/repos\/[^/]+\/[^/]+/, "").replace(/\?.*$/, "")}`;
}

/** Polls until `done` holds; answers the time it did (performance.now()). */
async function until(done: () => boolean, timeoutMs = GIVE_UP_MS): Promise<number> {
  const start = performance.now();
  while (!done()) {
    if (performance.now() - start > timeoutMs) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now();
}

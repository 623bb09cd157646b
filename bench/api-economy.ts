/**
 * API economy of the GitHub App: how many GitHub requests one incident costs, and how long an alert
 * takes to become a PR when every GitHub round trip takes 100 ms. Remedy runs inside a real Probot
 * against the fake GitHub of test/app (nock), so the figures count the requests Remedy actually sends.
 */
import nock from "nock";
import { firingAlert, issueOpened, startRemedy, ALERT_TOKEN, type Harness } from "../test/app/harness.js";

const REQUEST_GOAL = 6;
const LATENCY_GOAL_MS = 1000;
const ROUND_TRIP_MS = 100;

export async function bench(): Promise<string[]> {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  try {
    const lines: string[] = [];
    lines.push(...(await requestsPerIncident()));
    lines.push(...(await alertToPr(false)));
    lines.push(...(await alertToPr(true)));
    return lines;
  } finally {
    nock.cleanAll();
    nock.enableNetConnect();
  }
}

/** A repository Remedy has worked on before: its audit ledger exists (creating it is a one-off). */
function withLedger(h: Harness): Harness {
  h.github.refs.set("remedy-audit", h.github.commit(null, { "ledger.jsonl": "" }, "audit: start"));
  return h;
}

async function requestsPerIncident(): Promise<string[]> {
  const h = withLedger(await startRemedy());
  try {
    const first = await incident(
      h,
      "bench-1",
      "storefront prod: p99 latency high under traffic spike, scale to 8",
    );
    const breakdown = group(h.github.requests.slice(0, first));
    // A second incident in the same process: token, GET /app and caches are warm.
    const second = (await incident(h, "bench-2", "cart prod: p99 latency high, scale up")) - first;
    const pulls = h.github.pulls().length;
    if (pulls !== 2) throw new Error(`expected 2 PRs, got ${pulls}`);
    const verdict = (n: number): string => (n <= REQUEST_GOAL ? "" : " — over the goal");
    return [
      `api-economy: ${first} requests per incident PR, first incident of a process (goal ≤ ${REQUEST_GOAL})${verdict(first)}`,
      `api-economy: ${second} requests per incident PR, warm process (goal ≤ ${REQUEST_GOAL})${verdict(second)}`,
      ...breakdown.map(([what, n]) => `  ${String(n).padStart(3)} × ${what}`),
    ];
  } finally {
    await h.close();
  }
}

async function incident(h: Harness, delivery: string, title: string): Promise<number> {
  const issue = h.github.addIssue({
    title,
    body: "Pages are slow since 09:50.",
    labels: ["incident"],
    user: "alice",
  });
  await h.probot.receive({ id: delivery, name: "issues", payload: issueOpened({ ...issue }) } as never);
  await h.runtime.idle();
  return h.github.requests.length;
}

/**
 * Alert in, PR out, timed from the POST: once in a fresh process (authentication, first reads of
 * the repository) and once in a process that has already handled an alert for another service.
 */
async function alertToPr(throttle: boolean): Promise<string[]> {
  const h = withLedger(await startRemedy({ delayMs: ROUND_TRIP_MS, throttle }));
  try {
    const url = await h.listen();
    const label = throttle ? "Probot's write throttle on (1 s between writes)" : "write throttle off";
    const lines: string[] = [];
    for (const [run, service] of [
      ["fresh process", "storefront"],
      ["warm process", "cart"],
    ] as const) {
      const before = h.github.pulls().length;
      const started = performance.now();
      const response = await fetch(`${url}/alerts/shop/gitops`, {
        method: "POST",
        headers: { authorization: `Bearer ${ALERT_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify(firingAlert({ service, fingerprint: `bench-${service}` })),
      });
      const acked = performance.now() - started;
      if (response.status !== 202) throw new Error(`alert answered ${response.status}`);
      let opened: number | null = null;
      while (opened === null) {
        if (h.github.pulls().length > before) opened = performance.now() - started;
        else await new Promise((resolve) => setTimeout(resolve, 5));
        if (performance.now() - started > 120_000) throw new Error("no PR within 120 s");
      }
      await h.runtime.idle();
      const verdict = opened <= LATENCY_GOAL_MS ? "" : " — over the goal";
      lines.push(
        `alert-to-pr: ${Math.round(opened)} ms, ${run} (goal ≤ ${LATENCY_GOAL_MS}) with ${ROUND_TRIP_MS} ms round trips, ${label}; 202 after ${Math.round(acked)} ms${verdict}`,
      );
    }
    return lines;
  } finally {
    await h.close();
  }
}

/** Requests grouped by method and path template, most frequent first. */
function group(requests: Array<{ method: string; path: string; body: unknown }>): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const operation =
      r.path === "/graphql"
        ? `graphql ${/(?:query|mutation)\s+(\w+)/.exec(String((r.body as { query?: string }).query))?.[1] ?? "?"}`
        : `${r.method} ${templated(r.path)}`;
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

function templated(path: string): string {
  return decodeURIComponent(path.split("?")[0] ?? path)
    .replace(/^\/repos\/[^/]+\/[^/]+/, "/repos/{o}/{r}")
    .replace(/\/contents\/.*/, "/contents/{path}")
    .replace(/\/git\/(ref|refs)\/heads\/.*/, "/git/$1/heads/{branch}")
    .replace(/\/[0-9a-f]{40}/g, "/{sha}")
    .replace(/\/\d+(?=\/|$)/g, "/{n}");
}

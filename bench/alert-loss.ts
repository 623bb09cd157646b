/**
 * Trust boundaries under load and failure, through the real Probot app and the fake GitHub of
 * test/app: `concurrent-groups` delivers N alert groups for one field at once and counts the PRs
 * (SPEC §3.4: one field, one PR); `alert-loss` injects a GitHub failure (5xx, then 422) on each
 * distinct write of the alert path in turn and counts the signals that ended neither handled (a PR)
 * nor reported to a person with their dedupe claim given back (SPEC §1 invariant 7).
 */
import nock from "nock";
import { ALERT_TOKEN, firingAlert, startRemedy } from "../test/app/harness.js";

const GROUPS = 10;
/** Three attempts a few milliseconds apart: the retry path runs, the benchmark does not wait. */
const FAST = { REMEDY_RETRY_ATTEMPTS: "3", REMEDY_RETRY_BASE_MS: "5" };
const STATUSES = [502, 422] as const;

export async function bench(): Promise<string[]> {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  try {
    return [await concurrentGroups(), ...(await alertLoss())];
  } finally {
    nock.cleanAll();
    nock.enableNetConnect();
  }
}

async function post(url: string, body: object): Promise<{ status: number; json: { status?: string } }> {
  const response = await fetch(`${url}/alerts/shop/gitops`, {
    method: "POST",
    headers: { authorization: `Bearer ${ALERT_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as { status?: string } };
}

async function concurrentGroups(): Promise<string> {
  const h = await startRemedy();
  try {
    const url = await h.listen();
    // Alertmanager `group_by: [alertname, pod]`: one group per pod, all about storefront in prod.
    const groups = Array.from({ length: GROUPS }, (_, i) => ({
      ...firingAlert({ fingerprint: `g${i}`.padEnd(16, "0") }),
      groupKey: `{}:{alertname="HighLatency", pod="storefront-${i}"}`,
      groupLabels: { alertname: "HighLatency", pod: `storefront-${i}` },
    }));
    const answers = await Promise.all(groups.map((group) => post(url, group)));
    const accepted = answers.filter((a) => a.json.status === "accepted").length;
    await h.runtime.idle();
    const pulls = h.github.pulls().length;
    return `concurrent-groups: ${GROUPS} groups for one field → ${pulls} PR${pulls === 1 ? "" : "s"} (goal 1; ${accepted} accepted)${pulls === 1 ? "" : " — over the goal"}`;
  } finally {
    await h.close();
  }
}

interface Write {
  label: string;
  method: string;
  path: RegExp;
  query?: RegExp;
}

/** Every distinct write one alert makes on a clean run: REST writes and GraphQL mutations. */
async function writesOfTheAlertPath(): Promise<Write[]> {
  const h = await startRemedy();
  try {
    const url = await h.listen();
    await post(url, firingAlert());
    await h.runtime.idle();
    const writes = new Map<string, Write>();
    for (const r of h.github.requests) {
      const path = decodeURIComponent(r.path.split("?")[0] ?? r.path);
      if (r.method === "GET" || path.startsWith("/app/")) continue;
      if (path === "/graphql") {
        const query = String((r.body as { query?: unknown } | undefined)?.query ?? "");
        if (!/^\s*mutation\b/.test(query)) continue;
        const name = /mutation\s+(\w+)/.exec(query)?.[1] ?? /\{\s*(\w+)\s*\(/.exec(query)?.[1] ?? "mutation";
        writes.set(`graphql ${name}`, {
          label: `graphql ${name}`,
          method: "POST",
          path: /^\/graphql$/,
          query: new RegExp(`\\b${name}\\b`),
        });
        continue;
      }
      const template = path.replace(/\/\d+(?=\/|$)/g, "/{n}");
      const pattern = new RegExp(
        `^${template.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\{n\\\}/g, "\\d+")}$`,
      );
      writes.set(`${r.method} ${template}`, {
        label: `${r.method} ${template}`,
        method: r.method,
        path: pattern,
      });
    }
    return [...writes.values()];
  } finally {
    await h.close();
  }
}

type Ending = "handled" | "commented" | "logged" | "lost";

/** One alert with `write` failing every time with `status`: how did the signal end? */
async function oneSignal(write: Write, status: number): Promise<Ending> {
  const h = await startRemedy({ env: FAST });
  try {
    h.github.failures.push({ ...write, status, times: 1_000 });
    const url = await h.listen();
    const first = await post(url, firingAlert());
    if (first.json.status !== "accepted") return "lost";
    await h.runtime.idle();
    if (h.github.pulls().length > 0) return "handled";
    const incident = [...h.github.issues.values()].find((i) => i.pull === undefined);
    const commented =
      incident !== undefined &&
      h.github.comments.some((c) => c.issue === incident.number && c.body.includes("remedy:work-failed"));
    const logged =
      incident === undefined &&
      h.logs.some((l) => l.includes('"level":50') && l.includes("no one could be told but this log"));
    // The claim is given back: Alertmanager's re-send of the very same notification is work again.
    h.github.failures.length = 0;
    const again = await post(url, firingAlert());
    await h.runtime.idle();
    const released = again.json.status === "accepted";
    if (!released) return "lost";
    return commented ? "commented" : logged ? "logged" : "lost";
  } finally {
    await h.close();
  }
}

async function alertLoss(): Promise<string[]> {
  const writes = await writesOfTheAlertPath();
  const endings: Array<{ write: string; status: number; ending: Ending }> = [];
  for (const write of writes)
    for (const status of STATUSES)
      endings.push({ write: write.label, status, ending: await oneSignal(write, status) });
  const count = (ending: Ending): number => endings.filter((e) => e.ending === ending).length;
  const lost = count("lost");
  return [
    `alert-loss: GitHub 5xx/422 injected on each write of the alert path → ${lost} signals lost (goal 0; ${endings.length} signals over ${writes.length} writes: ${count("handled")} handled, ${count("commented")} reported in a comment, ${count("logged")} only logged and counted — no incident issue to comment on — all with the claim given back)${lost === 0 ? "" : " — over the goal"}`,
    ...endings.filter((e) => e.ending === "lost").map((e) => `  lost: ${e.status} on ${e.write}`),
  ];
}

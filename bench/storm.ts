/**
 * Alert storm on two replicas (#14): 1,000 Alertmanager notifications for 50 groups, each resent
 * (repeat_interval) and delivered by both HA peers to both replicas, which share one real
 * redis-server and the fake GitHub's HTTP mode. Prints issues, PRs, duplicates, ack p50/p99,
 * notifications/s ingested, time to the last PR and RSS idle/peak per replica, against the goals.
 * Needs redis-server (scripts/install-test-deps.sh); without it the bench says so and skips.
 *
 *   node --import tsx bench/run.ts storm
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { FakeGitHub } from "../test/app/fake-github.js";
import { waitFor } from "../test/e2e/fixtures/real-prometheus.js";
import {
  alert,
  inboxDepth,
  incidentIssues,
  postAll,
  pullCreations,
  startReplica,
  stormRepository,
  type Replica,
} from "../test/e2e/fixtures/replicas.js";
import { RealRedis, redisServerBinary } from "../test/store/real-redis.js";

const NOTIFICATIONS = 1000;
const GROUPS = 50;
const GOALS = { duplicates: 0, ackP99Ms: 20, perSecond: 2000, idleRssMb: 150 };

export async function bench(): Promise<string[]> {
  const binary = redisServerBinary();
  if (binary === null)
    return ["storm: skipped: redis-server is not on PATH (scripts/install-test-deps.sh installs it)"];
  const redis = new RealRedis(binary);
  await redis.start();
  const dataDir = await mkdtemp(join(tmpdir(), "remedy-storm-"));
  const github = new FakeGitHub(await stormRepository(GROUPS));
  const served = await github.serve();
  const replicas: Replica[] = [];
  try {
    replicas.push(await startReplica("a", redis.url, served.url, dataDir));
    replicas.push(await startReplica("b", redis.url, served.url, dataDir));
    await new Promise((r) => setTimeout(r, 1000));
    const idle = replicas.map((r) => rss(r, "VmRSS"));

    const jobs: Array<{ url: string; body: string }> = [];
    for (let round = 0; round < NOTIFICATIONS / GROUPS / 2; round++)
      for (let g = 1; g <= GROUPS; g++)
        for (const replica of replicas) jobs.push({ url: replica.url, body: alert(g) });
    const latencies: number[] = [];
    // This process sends the notifications, times their answers and serves the fake GitHub the
    // replicas call: its own event-loop delay is part of every ack time measured here.
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const started = performance.now();
    const statuses = await postAll(jobs, 32, latencies);
    const ingestMs = performance.now() - started;
    loop.disable();
    const refused = statuses.filter((s) => s !== 202).length;

    let lastPr = Number.NaN;
    await waitFor(
      `${GROUPS} PRs and empty inboxes`,
      300_000,
      async () => {
        if (github.pulls().length >= GROUPS && Number.isNaN(lastPr)) lastPr = performance.now() - started;
        if (github.pulls().length < GROUPS) return false;
        return (await inboxDepth(replicas[0]!.url)) === 0 && (await inboxDepth(replicas[1]!.url)) === 0;
      },
      100,
    );
    await new Promise((r) => setTimeout(r, 1000));
    const peak = replicas.map((r) => rss(r, "VmHWM"));

    const issues = incidentIssues(github).length;
    const pulls = github.pulls().length;
    const duplicates =
      Math.max(0, issues - GROUPS) +
      Math.max(0, pulls - GROUPS) +
      [...pullCreations(github).values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    latencies.sort((x, y) => x - y);
    const p = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    const perSecond = (NOTIFICATIONS / ingestMs) * 1000;
    const over = (ok: boolean) => (ok ? "" : " — over the goal");
    return [
      `storm: ${NOTIFICATIONS} notifications, ${GROUPS} groups, 2 replicas on Redis: ${issues} issues, ${pulls} PRs (one per group: ${GROUPS}), ${refused} refused`,
      `storm: duplicates ${duplicates} (goal ${GOALS.duplicates})${over(duplicates === GOALS.duplicates)}`,
      `storm: ack p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms (goal p99 ≤ ${GOALS.ackP99Ms} ms)${over(p(0.99) <= GOALS.ackP99Ms)}`,
      `storm: ${Math.round(perSecond)} notifications/s ingested, 32 in flight (goal ≥ ${GOALS.perSecond})${over(perSecond >= GOALS.perSecond)}`,
      `storm: the bench process's own event-loop delay while ingesting (sender, timer and fake GitHub): p50 ${(loop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`,
      `storm: last PR ${(lastPr / 1000).toFixed(1)} s after the first notification (write throttle off)`,
      ...replicas.map(
        (_, i) =>
          `storm: replica ${"ab"[i]} RSS idle ${idle[i]} MB, peak ${peak[i]} MB (goal idle ≤ ${GOALS.idleRssMb} MB; includes tsx)${over((idle[i] ?? Infinity) <= GOALS.idleRssMb)}`,
      ),
    ];
  } finally {
    for (const replica of replicas) replica.child.kill("SIGTERM");
    await Promise.all(replicas.map((r) => r.exited));
    await served.close();
    await redis.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** A process's resident set (VmRSS) or its peak (VmHWM) in MB, from /proc. */
function rss(replica: Replica, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${replica.child.pid}/status`, "utf8");
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

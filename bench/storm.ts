/**
 * Alert storm on two replicas (#14): 1,000 Alertmanager notifications for 50 groups, each resent
 * (repeat_interval) and delivered by both HA peers to both replicas, which share one real
 * redis-server and the fake GitHub's HTTP mode. Prints issues, PRs, duplicates, ack p50/p99,
 * notifications/s ingested, time to the last PR and RSS idle/peak per replica, against the goals.
 * Needs redis-server (scripts/install-test-deps.sh); without it the bench says so and skips.
 *
 * The replicas run the built app (dist/, plain node, as `node bin/remedy.js serve` runs it; build
 * first), and the notifications come from a sender process of their own, as Alertmanager's would:
 * an ack time is then the replica's answer, not the wait of this process, which serves the fake
 * GitHub the replicas call. The idle RSS of `node bin/remedy.js serve` itself (what the Dockerfile
 * runs) on the same Redis is printed too.
 *
 *   npm run build && node --import tsx bench/run.ts storm
 */
import { spawn } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { FakeGitHub } from "../test/app/fake-github.js";
import { freePort, waitFor } from "../test/e2e/fixtures/real-prometheus.js";
import {
  alert,
  inboxDepth,
  incidentIssues,
  pullCreations,
  replicaEnv,
  startReplica,
  stormRepository,
  type Replica,
} from "../test/e2e/fixtures/replicas.js";
import { RealRedis, redisServerBinary } from "../test/store/real-redis.js";
import type { SenderInput, SenderOutput } from "./fixtures/storm-sender.js";

const ROOT = resolve(import.meta.dirname, "..");
const NOTIFICATIONS = 1000;
const GROUPS = 50;
const GOALS = { duplicates: 0, ackP99Ms: 20, perSecond: 2000, idleRssMb: 150 };
const PARALLEL = 32;

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
    assertBuilt();
    const serveIdle = await serveIdleRss(redis.url, served.url, dataDir);
    replicas.push(await startReplica("a", redis.url, served.url, dataDir, { from: "dist" }));
    replicas.push(await startReplica("b", redis.url, served.url, dataDir, { from: "dist" }));
    await new Promise((r) => setTimeout(r, 1000));
    const idle = replicas.map((r) => rss(r.child.pid, "VmRSS"));

    const jobs: Array<{ url: string; body: string }> = [];
    for (let round = 0; round < NOTIFICATIONS / GROUPS / 2; round++)
      for (let g = 1; g <= GROUPS; g++)
        for (const replica of replicas) jobs.push({ url: replica.url, body: alert(g) });
    const cpuBefore = replicas.map((r) => cpuSeconds(r.child.pid));
    const started = performance.now();
    const sent = await send({ jobs, parallel: PARALLEL });
    const cpuIngest = replicas.map((r, i) => cpuSeconds(r.child.pid) - (cpuBefore[i] ?? 0));
    const { latencies, ingestMs, loopDelay } = sent;
    const refused = sent.statuses.filter((s) => s !== 202).length;

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
    const peak = replicas.map((r) => rss(r.child.pid, "VmHWM"));
    const cpuStorm = replicas.map((r, i) => cpuSeconds(r.child.pid) - (cpuBefore[i] ?? 0));

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
      `storm: ack p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms, timed by a sender process of its own (goal p99 ≤ ${GOALS.ackP99Ms} ms)${over(p(0.99) <= GOALS.ackP99Ms)}`,
      `storm: ${Math.round(perSecond)} notifications/s ingested, ${PARALLEL} in flight (goal ≥ ${GOALS.perSecond})${over(perSecond >= GOALS.perSecond)}`,
      `storm: the sender's own event-loop delay while sending: p50 ${loopDelay.p50.toFixed(1)} ms, p99 ${loopDelay.p99.toFixed(1)} ms, max ${loopDelay.max.toFixed(1)} ms`,
      `storm: last PR ${(lastPr / 1000).toFixed(1)} s after the first notification (write throttle off)`,
      // CPU time does not grow when other jobs share the cores, unlike the times above.
      `storm: replica CPU while ingesting ${cpuIngest.map((c) => c.toFixed(2)).join(" s + ")} s, over the whole storm ${cpuStorm.map((c) => c.toFixed(2)).join(" s + ")} s`,
      ...replicas.map(
        (_, i) =>
          `storm: replica ${"ab"[i]} (built app, plain node) RSS idle ${idle[i]} MB, peak ${peak[i]} MB (goal idle ≤ ${GOALS.idleRssMb} MB)${over((idle[i] ?? Infinity) <= GOALS.idleRssMb)}`,
      ),
      `storm: \`node bin/remedy.js serve\` on the same Redis: RSS idle ${serveIdle} MB (goal ≤ ${GOALS.idleRssMb} MB)${over(serveIdle <= GOALS.idleRssMb)}`,
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
function rss(pid: number | undefined, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

/** User plus system CPU time a process has used, in seconds, from /proc (clock ticks of 1/100 s). */
function cpuSeconds(pid: number | undefined): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name, in parentheses, may hold spaces: count the fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The replicas run dist/: refuse to measure a build older than the sources. */
function assertBuilt(): void {
  const built = statSync(join(ROOT, "dist", "index.js"), { throwIfNoEntry: false });
  if (built === undefined) throw new Error("dist/ is missing: run `npm run build` before the storm bench");
  const newest = Math.max(
    ...readdirSync(join(ROOT, "src"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"))
      .map((f) => statSync(join(ROOT, "src", f)).mtimeMs),
  );
  if (newest > built.mtimeMs)
    throw new Error("dist/ is older than src/: run `npm run build` before the storm bench");
}

/** Runs the sender process on the jobs and reads its measurements. */
async function send(input: SenderInput): Promise<SenderOutput> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "bench", "fixtures", "storm-sender.ts")],
    {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  child.stdin.end(JSON.stringify(input));
  const code = await exited;
  if (code !== 0) throw new Error(`the storm sender exited ${code}:\n${stderr}`);
  return JSON.parse(stdout) as SenderOutput;
}

/** `node bin/remedy.js serve` with the replicas' settings, idle for a second: its RSS in MB. */
async function serveIdleRss(redisUrl: string, githubUrl: string, dataDir: string): Promise<number> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, "bin", "remedy.js"), "serve"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...replicaEnv("serve", redisUrl, githubUrl, dataDir),
      // Probot's runner finds GitHub by GHE_HOST: the fake one, so nothing leaves the machine.
      GHE_HOST: new URL(githubUrl).host,
      GHE_PROTOCOL: "http",
      PORT: String(port),
      NODE_ENV: "production",
    },
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  try {
    await waitFor("remedy serve to answer /healthz", 30_000, async () => {
      if (child.exitCode !== null) throw new Error(`remedy serve exited (${child.exitCode}):\n${stderr}`);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
      return res?.status === 200;
    });
    await new Promise((r) => setTimeout(r, 1000));
    return rss(child.pid, "VmRSS");
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGitHub } from "../app/fake-github.js";
import { RealRedis, redisServerBinary } from "../store/real-redis.js";
import { waitFor } from "./fixtures/real-prometheus.js";
import {
  alert,
  inboxDepth,
  incidentIssues,
  postAll,
  pullCreations,
  serviceName,
  startReplica,
  stormRepository,
  type Replica,
} from "./fixtures/replicas.js";

/**
 * Two Remedy processes on one real redis-server and one fake GitHub (its HTTP mode), as two
 * replicas behind a load balancer: an alert storm with HA duplicates is handled once per group, and
 * a replica killed mid-work leaves its accepted work to the other, which finishes it.
 */

const REDIS = redisServerBinary();
/**
 * The storm's size. The full 1,000 notifications for 50 groups runs in `npm run bench` (bench/storm.ts);
 * here a smaller storm with the same shape keeps the test near a minute on a busy two-core machine.
 * REMEDY_STORM=1000x50 runs the full one.
 */
const [NOTIFICATIONS, GROUPS] = (process.env.REMEDY_STORM ?? "400x20").split("x").map(Number) as [
  number,
  number,
];
const SKIP = REDIS === null ? "redis-server is not on PATH (scripts/install-test-deps.sh installs it)" : null;

describe.skipIf(SKIP !== null)("two replicas on one Redis", () => {
  let redis: RealRedis;
  let dataDir = "";
  const replicas: Replica[] = [];
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    redis = new RealRedis(REDIS as string);
    await redis.start();
    dataDir = await mkdtemp(join(tmpdir(), "remedy-replicas-"));
  });

  afterAll(async () => {
    for (const replica of replicas)
      if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill("SIGKILL");
    await Promise.all(replicas.map((r) => r.exited));
    for (const close of closers) await close();
    await redis?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it(
    `${NOTIFICATIONS} notifications for ${GROUPS} groups, each sent to both replicas: one issue and one PR per group`,
    { timeout: 150_000 },
    async () => {
      await redis.client().flushall();
      const github = new FakeGitHub(await stormRepository(GROUPS));
      const served = await github.serve();
      closers.push(served.close);
      const a = await startReplica("a", redis.url, served.url, dataDir);
      const b = await startReplica("b", redis.url, served.url, dataDir);
      replicas.push(a, b);

      // Every group resent (repeat_interval) by both HA peers, and every delivery reaches both replicas.
      const jobs: Array<{ url: string; body: string }> = [];
      for (let round = 0; round < NOTIFICATIONS / GROUPS / 2; round++)
        for (let g = 1; g <= GROUPS; g++)
          jobs.push({ url: a.url, body: alert(g) }, { url: b.url, body: alert(g) });
      expect(jobs).toHaveLength(NOTIFICATIONS);
      const statuses = await postAll(jobs).catch((error: Error) => {
        throw new Error(`${error.message}: ${String(error.cause)}\n${a.stderr()}\n${b.stderr()}`);
      });
      expect(
        statuses.filter((s) => s !== 202),
        a.stderr() + b.stderr(),
      ).toEqual([]);

      await waitFor(
        `${GROUPS} PRs and empty inboxes`,
        100_000,
        async () => {
          if (github.pulls().length < GROUPS) return false;
          return (await inboxDepth(a.url)) === 0 && (await inboxDepth(b.url)) === 0;
        },
        200,
      );
      // Give a straggling duplicate the time to show itself.
      await new Promise((r) => setTimeout(r, 1500));

      const issues = incidentIssues(github);
      expect(issues).toHaveLength(GROUPS);
      expect(new Set(issues.map((i) => i.title)).size).toBe(GROUPS);
      const pulls = github.pulls();
      expect(pulls).toHaveLength(GROUPS);
      expect(new Set(pulls.map((p) => p.pull?.head)).size).toBe(GROUPS);
      for (let g = 1; g <= GROUPS; g++)
        expect(
          pulls.filter((p) => p.pull?.head.startsWith(`remedy/${serviceName(g)}-prod-scale-`)),
        ).toHaveLength(1);
      expect([...pullCreations(github).values()].every((n) => n === 1)).toBe(true);
      for (let g = 1; g <= GROUPS; g++)
        expect(github.file(`manifests/${serviceName(g)}/values-prod.yaml`)).toContain("replicaCount: 3");
      // Between them the replicas accepted at least one signal per group. Which replica wins each
      // group's claim is a race (under load one may win them all), so no share is asserted.
      let accepted = 0;
      for (const replica of [a, b]) {
        const metrics = await (await fetch(`${replica.url}/metrics`)).text();
        accepted += Number(/^remedy_signals_total\{source="alertmanager"\} (\S+)$/m.exec(metrics)?.[1] ?? 0);
      }
      expect(accepted).toBeGreaterThanOrEqual(GROUPS);
      for (const replica of [a, b]) replica.child.kill("SIGTERM");
      await Promise.all([a.exited, b.exited]);
    },
  );

  it(
    "SIGKILL of the replica holding the work mid-way: the other takes it over and finishes, nothing twice",
    { timeout: 150_000 },
    async () => {
      await redis.client().flushall();
      // A slow GitHub (40 ms a request) so the kill lands while work is in progress.
      const github = new FakeGitHub(await stormRepository(8));
      const served = await github.serve(40);
      closers.push(served.close);
      const a = await startReplica("a2", redis.url, served.url, dataDir);
      const b = await startReplica("b2", redis.url, served.url, dataDir);
      replicas.push(a, b);

      // Everything is accepted by replica a, so a holds every lease.
      const statuses = await postAll(
        Array.from({ length: 8 }, (_, i) => ({ url: a.url, body: alert(i + 1) })),
        8,
      );
      expect(statuses).toEqual(new Array(8).fill(202));
      await waitFor("replica a to be mid-work", 30_000, async () => github.pulls().length >= 1, 20);
      expect(github.pulls().length).toBeLessThan(8);
      a.child.kill("SIGKILL");
      expect((await a.exited).signal).toBe("SIGKILL");
      const doneBeforeKill = github.pulls().length;

      let depth = Number.NaN;
      await waitFor(
        "replica b to finish a's work",
        75_000,
        async () => {
          depth = await inboxDepth(b.url);
          return github.pulls().length >= 8 && depth === 0;
        },
        200,
      ).catch((error: Error) => {
        const state = `${github.pulls().length} PRs, ${incidentIssues(github).length} issues, b's inbox ${depth}`;
        throw new Error(`${error.message} (${state})\n${b.stderr()}`);
      });
      await new Promise((r) => setTimeout(r, 1500));
      expect(doneBeforeKill).toBeLessThan(8);
      expect(incidentIssues(github)).toHaveLength(8);
      const pulls = github.pulls();
      expect(pulls).toHaveLength(8);
      expect(new Set(pulls.map((p) => p.pull?.head)).size).toBe(8);
      expect(
        [...pullCreations(github).values()].every((n) => n === 1),
        b.stderr(),
      ).toBe(true);
      b.child.kill("SIGTERM");
      await b.exited;
    },
  );
});

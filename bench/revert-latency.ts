/**
 * How fast a failed verification becomes a revert PR: a real VerificationScheduler on real timers, a
 * fast interval, a health source that fails from the start. For each run it measures the time from
 * the deciding evaluation (the one reaching failure_threshold) to the revert PR being opened.
 *
 *   node --import tsx bench/revert-latency.ts [runs]
 */
import { AuditLedger } from "../src/audit/index.js";
import { VerificationScheduler } from "../src/app/verification-scheduler.js";
import type { FlowDeps } from "../src/flows/deps.js";
import { startVerification } from "../src/flows/start-verification.js";
import { InMemoryForge } from "../src/forge/memory/in-memory-forge.js";
import { MemoryStore } from "../src/store/store.js";
import type { HealthSource } from "../src/verification/health-source.js";
import type { VerifySpec } from "../src/verification/verify-spec.js";
import { mergedRemedyPullRequest, revertPullRequests } from "../test/e2e/fixtures/merged-remedy-pr.js";

const INTERVAL_MS = 200;
const THRESHOLD = 3;
const GOAL_MS = THRESHOLD * INTERVAL_MS + 1_000;
const SPEC: VerifySpec = {
  intervalSeconds: INTERVAL_MS / 1000,
  soakSeconds: 60,
  failureThreshold: THRESHOLD,
  maxErrors: 3,
  deadlineSeconds: 60,
  checks: [{ name: "error_rate", query: "max(errors)", max: 0.05 }],
};

interface Run {
  afterDeciding: number;
  afterFirstFailure: number;
}

async function once(): Promise<Run> {
  const now = () => new Date().toISOString();
  const forge = new InMemoryForge({ now });
  const store = new MemoryStore();
  const failing: HealthSource = { sample: async (check) => ({ name: check.name, value: 0.4 }) };
  const deps: FlowDeps = {
    forge,
    audit: new AuditLedger(forge.ledger),
    store,
    now,
    log: { info() {}, warn() {}, error() {} },
    botLogin: "remedy[bot]",
    health: () => ({ health: failing }),
  };
  const fixture = await mergedRemedyPullRequest(forge, { verify: SPEC });

  let opened: number | null = null;
  const open = forge.openPullRequest.bind(forge);
  forge.openPullRequest = async (input) => {
    const pr = await open(input);
    opened = Date.now();
    return pr;
  };
  let evaluations: string[] = [];
  const finished = new Promise<void>((resolve) => {
    const scheduler = new VerificationScheduler({
      store,
      depsFor: async () => deps,
      log: deps.log,
      onTick: (tick) => {
        evaluations = tick.record.verdict.evaluations.map((e) => e.at);
        if (tick.done) {
          scheduler.stop();
          resolve();
        }
      },
    });
    void startVerification(deps, fixture.pr).then((record) => scheduler.track(record!));
  });
  const guard = setTimeout(() => {
    throw new Error("revert-latency: no verdict within 30 s");
  }, 30_000);
  await finished;
  clearTimeout(guard);
  if (opened === null || revertPullRequests(forge).length !== 1)
    throw new Error("revert-latency: the revert PR was not opened");
  const deciding = Date.parse(evaluations.at(-1) ?? "");
  const first = Date.parse(evaluations.at(-THRESHOLD) ?? "");
  return { afterDeciding: opened - deciding, afterFirstFailure: opened - first };
}

/** `npm run bench`: worst of five runs, measured from the deciding and from the first failing evaluation. */
export async function bench(runs = 5): Promise<string[]> {
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) results.push(await once());
  const worst = Math.max(...results.map((r) => r.afterDeciding));
  const worstFromFirst = Math.max(...results.map((r) => r.afterFirstFailure));
  return [
    `revert-latency: ${worst} ms after the deciding evaluation (goal ≤ failure_threshold × interval + 1 s = ${THRESHOLD} × ${INTERVAL_MS} ms + 1 s = ${GOAL_MS} ms)`,
    `revert-latency: ${worstFromFirst} ms after the first failing evaluation; worst of ${runs} runs, interval ${INTERVAL_MS} ms, failure_threshold ${THRESHOLD}`,
  ];
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditLedger } from "../../src/audit/index.js";
import { RepoConfig } from "../../src/config/repo-config.js";
import { VerificationScheduler } from "../../src/app/verification-scheduler.js";
import type { FlowDeps } from "../../src/flows/deps.js";
import { startVerification } from "../../src/flows/start-verification.js";
import { InMemoryForge } from "../../src/forge/memory/in-memory-forge.js";
import { MemoryStore } from "../../src/store/store.js";
import { healthFromConfig } from "../../src/adapters/health-from-config.js";
import type { VerifySpec } from "../../src/verification/verify-spec.js";
import {
  mergedRemedyPullRequest,
  revertPullRequests,
  VALUES_FILE,
  valuesYaml,
} from "./fixtures/merged-remedy-pr.js";
import { GaugeEndpoint, prometheusBinary, RealPrometheus, waitFor } from "./fixtures/real-prometheus.js";

const binary = prometheusBinary();
if (binary === null && process.env.CI) {
  throw new Error(
    "prometheus is not installed: run scripts/install-test-deps.sh (CI must run the real-Prometheus end-to-end test)",
  );
}
if (binary === null) {
  console.warn(
    "test/e2e/prometheus.test.ts skipped: no `prometheus` binary on PATH (install it with scripts/install-test-deps.sh)",
  );
}

const METRIC = "remedy_e2e_error_ratio";
const SPEC: VerifySpec = {
  intervalSeconds: 1,
  soakSeconds: 3,
  failureThreshold: 2,
  maxErrors: 3,
  deadlineSeconds: 30,
  checks: [
    {
      name: "error_rate",
      query: `max(${METRIC}{service="{{service}}",environment="{{environment}}"})`,
      max: 0.05,
    },
  ],
};

describe.skipIf(binary === null)("verification against a real Prometheus", () => {
  const gauge = new GaugeEndpoint(METRIC, 'service="checkout-api",environment="prod"');
  let prometheus: RealPrometheus;

  beforeAll(async () => {
    await gauge.listen();
    prometheus = new RealPrometheus(binary as string);
    await prometheus.start(`127.0.0.1:${gauge.port}`);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await gauge.close();
  });

  /** Sets the gauge and waits until Prometheus has scraped it, so the verdict reads what we set. */
  async function setGauge(value: number): Promise<void> {
    gauge.value = value;
    await waitFor(
      `Prometheus to scrape ${METRIC} = ${value}`,
      20_000,
      async () => (await prometheus.query(METRIC)) === value,
    );
  }

  /** Merges a Remedy PR and lets a real scheduler (real timers) verify it until it is decided. */
  async function verifyMerged() {
    const forge = new InMemoryForge({ now: () => new Date().toISOString() });
    const store = new MemoryStore();
    const deps: FlowDeps = {
      forge,
      audit: new AuditLedger(forge.ledger),
      store,
      now: () => new Date().toISOString(),
      log: { info() {}, warn() {}, error() {} },
      botLogin: "remedy[bot]",
      health: (config, plan) => healthFromConfig(config, plan, process.env),
    };
    const fixture = await mergedRemedyPullRequest(forge, {
      verify: SPEC,
      health: `health:\n  prometheus: ${prometheus.url}\n`,
    });
    const errors: unknown[] = [];
    const scheduler = new VerificationScheduler({
      store,
      depsFor: async () => deps,
      log: { info() {}, warn() {}, error: (meta) => void errors.push(meta) },
    });
    const record = await startVerification(deps, fixture.pr);
    scheduler.track(record!);
    try {
      await waitFor(
        "the verification to finish",
        25_000,
        async () => (await store.listVerifications()).length === 0,
      );
    } finally {
      scheduler.stop();
    }
    expect(errors).toEqual([]);
    return { forge, ...fixture };
  }

  it(
    "passes a healthy change: success check, before/after comment, incident closed",
    { timeout: 60_000 },
    async () => {
      await setGauge(0.01);
      const { forge, pr, incident } = await verifyMerged();
      const check = forge.checkRuns.find((c) => c.name === "remedy/verify")!;
      expect(check).toMatchObject({ status: "completed", conclusion: "success" });
      expect(check.summary).toContain("error_rate: 0.09 → 0.01");
      expect(forge.comments.find((c) => c.on === pr.number)!.body).toContain("Verified");
      expect((await forge.getIssue(incident))!.state).toBe("closed");
      expect(revertPullRequests(forge)).toHaveLength(0);
    },
  );

  it(
    "fails an unhealthy change and opens the revert PR with the figures Prometheus gave",
    { timeout: 60_000 },
    async () => {
      await setGauge(0.42);
      const { forge, pr, mergeSha } = await verifyMerged();
      expect(forge.checkRuns.find((c) => c.name === "remedy/verify")).toMatchObject({
        status: "completed",
        conclusion: "failure",
      });
      const reverts = revertPullRequests(forge);
      expect(reverts).toHaveLength(1);
      expect(reverts[0]!.head).toBe(`revert/${mergeSha}`);
      expect(reverts[0]!.body).toContain(`Reverts #${pr.number}`);
      expect(reverts[0]!.body).toContain("error_rate 0.42 > max 0.05");
      expect(forge.fileAt(reverts[0]!.head, VALUES_FILE)).toBe(valuesYaml(4));
    },
  );

  it(
    "max_increase: the baseline is the series before the merge; a rise under the absolute max still fails",
    { timeout: 60_000 },
    async () => {
      await setGauge(0.01);
      // Let the window before the merge fill with 0.01.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const forge = new InMemoryForge({ now: () => new Date().toISOString() });
      const store = new MemoryStore();
      const deps: FlowDeps = {
        forge,
        audit: new AuditLedger(forge.ledger),
        store,
        now: () => new Date().toISOString(),
        log: { info() {}, warn() {}, error() {} },
        botLogin: "remedy[bot]",
        health: (config, plan) => healthFromConfig(config, plan, process.env),
      };
      const relative: VerifySpec = {
        ...SPEC,
        soakSeconds: 15,
        checks: [{ ...SPEC.checks[0]!, maxIncrease: 0.2, baselineSeconds: 4 }],
      };
      const fixture = await mergedRemedyPullRequest(forge, {
        verify: relative,
        health: `health:\n  prometheus: ${prometheus.url}\n`,
      });
      // After the merge the error ratio doubles: 0.02 is under max 0.05, but 100% above the baseline.
      gauge.value = 0.02;
      const scheduler = new VerificationScheduler({
        store,
        depsFor: async () => deps,
        log: { info() {}, warn() {}, error() {} },
      });
      const record = await startVerification(deps, fixture.pr);
      scheduler.track(record!);
      try {
        await waitFor(
          "the verification to finish",
          40_000,
          async () => (await store.listVerifications()).length === 0,
        );
      } finally {
        scheduler.stop();
      }
      const check = forge.checkRuns.find((c) => c.name === "remedy/verify")!;
      expect(check).toMatchObject({ status: "completed", conclusion: "failure" });
      expect(check.summary).toContain("0.01 before, 0.02 now, limit +20% = 0.012");
      expect(revertPullRequests(forge)).toHaveLength(1);
    },
  );

  it("treats an empty result as no data, never healthy", async () => {
    const forge = new InMemoryForge({ now: () => new Date().toISOString() });
    const fixture = await mergedRemedyPullRequest(forge, {
      verify: SPEC,
      health: `health:\n  prometheus: ${prometheus.url}\n`,
    });
    const config = RepoConfig.parse({ health: { prometheus: prometheus.url } });
    const { health } = healthFromConfig(config, fixture.plan, {});
    const sample = await health.sample(
      { name: "error_rate", query: `max(${METRIC}{service="nope"})`, max: 0.05 },
      {
        service: "nope",
        environment: "prod",
        workload: "nope",
        mergeSha: fixture.mergeSha,
        at: new Date().toISOString(),
      },
    );
    expect(sample).toEqual({ name: "error_rate", value: null, reason: "no series" });
  });
});

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ALERT_TOKEN, finishHarness, startRemedy, type Harness } from "../app/harness.js";
import { OWNER, REPO } from "../app/fake-github.js";
import {
  ALERTMANAGER_EXAMPLE,
  alertmanagerBinary,
  amtoolBinary,
  exampleConfigFor,
  RealAlertmanager,
} from "./fixtures/real-alertmanager.js";
import { waitFor } from "./fixtures/real-prometheus.js";

const run = promisify(execFile);
const binary = alertmanagerBinary();
const amtool = amtoolBinary();
if ((binary === null || amtool === null) && process.env.CI) {
  throw new Error(
    "prometheus-alertmanager (with amtool) is not installed: run scripts/install-test-deps.sh (CI must run the real-Alertmanager end-to-end test)",
  );
}
if (binary === null || amtool === null) {
  console.warn(
    "test/e2e/alertmanager.test.ts skipped: no `prometheus-alertmanager`/`amtool` on PATH (install them with scripts/install-test-deps.sh)",
  );
}

/** The alert Prometheus would send: cart's p99 latency in prod (the example repository's runbook). */
const ALERT = {
  labels: { alertname: "HighLatency", service: "cart", env: "prod", severity: "warning" },
  annotations: { summary: "cart p99 latency above 400ms for 10 minutes" },
};

let harness: Harness | undefined;
const managers: RealAlertmanager[] = [];
let dir = "";

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  dir = await mkdtemp(join(tmpdir(), "remedy-am-e2e-"));
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.stop()));
  const current = harness;
  harness = undefined;
  await finishHarness(current);
});
afterAll(async () => {
  nock.enableNetConnect();
  await rm(dir, { recursive: true, force: true });
});

/** Remedy against the fake GitHub, and the README's Alertmanager config pointed at it. */
async function remedyAndConfig(): Promise<string> {
  harness = await startRemedy();
  const url = await harness.listen();
  const tokenFile = join(dir, "remedy-token");
  await writeFile(tokenFile, ALERT_TOKEN);
  return exampleConfigFor({ url: `${url}/alerts/${OWNER}/${REPO}`, tokenFile });
}

function accepted(h: Harness): number {
  return h.logs.filter((line) => line.includes('"alert accepted"')).length;
}

async function expectOneIssueAndOnePr(h: Harness): Promise<void> {
  await waitFor("Remedy's PR on the fake GitHub", 45_000, () => h.github.pulls().length > 0, 200);
  await h.runtime.idle();
  const issues = [...h.github.issues.values()].filter((i) => i.pull === undefined);
  expect(issues).toHaveLength(1);
  expect(issues[0]?.labels).toContain("incident");
  expect(issues[0]?.body).toContain("cart p99 latency above 400ms");
  const pulls = h.github.pulls();
  expect(pulls).toHaveLength(1);
  expect(pulls[0]?.pull?.head).toMatch(/^remedy\/cart-prod-scale-[0-9a-f]{8}$/);
  expect(pulls[0]?.title).toContain("scale cart in prod: 4 → 6 replicas");
  expect(h.github.file("manifests/cart/values-prod.yaml", pulls[0]?.pull?.head)).toMatch(
    /^replicaCount: 6 /m,
  );
}

describe.skipIf(binary === null || amtool === null)("a real Alertmanager in front of Remedy", () => {
  it("the README's configuration (examples/alertmanager.yml) passes amtool check-config", async () => {
    const { stdout } = await run(amtool as string, ["check-config", ALERTMANAGER_EXAMPLE]);
    expect(stdout).toContain("SUCCESS");
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    const example = await readFile(ALERTMANAGER_EXAMPLE, "utf8");
    // The README shows the file as it is, so the snippet a reader copies is the one tested here.
    expect(readme).toContain(example.trim());
  });

  it("delivers a firing alert posted to its v2 API as one incident issue and one PR", async () => {
    const config = await remedyAndConfig();
    const manager = new RealAlertmanager(binary as string);
    managers.push(manager);
    await manager.start(config);
    await manager.postAlerts([ALERT]);
    const h = harness as Harness;
    await expectOneIssueAndOnePr(h);
    expect(accepted(h)).toBe(1);
    // The bearer token came from the credentials file, and Remedy never logs it.
    expect(h.logs.join("")).not.toContain(ALERT_TOKEN);
  }, 90_000);

  it("gives one issue and one PR when an HA pair both receive the alert", async () => {
    const config = await remedyAndConfig();
    const first = new RealAlertmanager(binary as string);
    managers.push(first);
    await first.start(config, { peers: [] });
    const second = new RealAlertmanager(binary as string);
    managers.push(second);
    await second.start(config, { peers: [first.clusterAddress] });
    await waitFor(
      "the two Alertmanagers to see each other",
      20_000,
      async () => (await first.peers()) === 2 && (await second.peers()) === 2,
    );
    // Prometheus sends every alert to every Alertmanager of the pair.
    await Promise.all([first.postAlerts([ALERT]), second.postAlerts([ALERT])]);
    const h = harness as Harness;
    await expectOneIssueAndOnePr(h);
    // Give the second peer its peer_timeout to send its copy too (at-least-once), then look again.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await h.runtime.idle();
    expect([...h.github.issues.values()].filter((i) => i.pull === undefined)).toHaveLength(1);
    expect(h.github.pulls()).toHaveLength(1);
  }, 120_000);
});

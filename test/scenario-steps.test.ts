import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CliIo } from "../src/cli/io.js";
import { main } from "../src/cli/main.js";
import { loadScenario } from "../src/scenarios/load-scenarios.js";
import { judgeScenario, runScenario } from "../src/scenarios/run-scenario.js";

// Scenario format v2 (`steps` and the v2 `expect` fields) through `remedy eval`, the way an unseen
// scenario reaches Remedy: a YAML file in a folder.

interface Result {
  name: string;
  passed: boolean;
  unsafe: boolean;
  failures: string[];
  file: string;
}

const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Runs `remedy eval` on one scenario file and returns its result. */
async function evalOne(yaml: string): Promise<Result> {
  const dir = await mkdtemp(join(tmpdir(), "remedy-steps-"));
  temps.push(dir);
  await writeFile(join(dir, "scenario.yaml"), yaml);
  const io: CliIo = { out: () => {}, err: () => {} };
  await main(["eval", dir, "--json", join(dir, "report.json")], io);
  const report = JSON.parse(await readFile(join(dir, "report.json"), "utf8")) as { results: Result[] };
  return report.results[0]!;
}

const ALERT = `
  alertmanager:
    version: "4"
    groupKey: '{}:{alertname="HighLatency", service="cart"}'
    truncatedAlerts: 0
    status: firing
    receiver: remedy
    groupLabels: { alertname: HighLatency }
    commonLabels: { alertname: HighLatency, service: cart, env: prod, severity: warning }
    commonAnnotations: { summary: "cart p99 latency above 400ms" }
    externalURL: http://alertmanager.monitoring:9093
    alerts:
      - status: firing
        labels: { alertname: HighLatency, service: cart, env: prod, severity: warning }
        annotations: { summary: "cart p99 latency above 400ms" }
        startsAt: "2026-11-21T09:50:00Z"
        endsAt: "0001-01-01T00:00:00Z"
        generatorURL: http://prometheus.monitoring:9090/graph
        fingerprint: c4a7e1f02b9d3e55`;

const scenario = (steps: string, expect: string, extra = "") =>
  `name: v2 test\nsignal:${ALERT}\n${extra}steps:\n${steps}\nexpect:\n${expect}\n`;

const cartValues = (replicas: number) =>
  `|\n          replicaCount: ${replicas}\n          image:\n            repository: ghcr.io/shop/cart\n            tag: "3.12.0"\n          autoscaling:\n            enabled: false`;

const SICK = "after_merge:\n  health:\n    latency_p99: [0.9, 0.95, 1.1, 1.2]\n";

describe("scenario format v2: the schema names the file and the bad field", () => {
  const invalid = async (yaml: string, ...needles: string[]) => {
    const result = await evalOne(yaml);
    expect(result.passed).toBe(false);
    const text = result.failures.join("\n");
    expect(text).toContain("scenario.yaml");
    for (const needle of needles) expect(text).toContain(needle);
  };

  it("refuses a step that is two things at once", () =>
    invalid(scenario("  - { close: true, merge: true }", "  prs: 1"), "steps.0", "exactly one of push"));

  it("refuses a step kind the format does not have", () =>
    invalid(scenario("  - dance: true", "  prs: 1"), "steps.0", "dance"));

  it("refuses a label step with both add and remove", () =>
    invalid(
      scenario('  - label: { on: pr, add: "remedy:paused", remove: "remedy:paused" }', "  prs: 1"),
      "steps.0.label",
      "exactly one of add",
    ));

  it("refuses writes_after_step naming a step that does not exist", () =>
    invalid(
      scenario("  - close: true", "  never:\n    - writes_after_step: 3"),
      "expect.never",
      "has 1 step",
    ));

  it("refuses resolve when the signal is not an alert", () =>
    invalid(
      'name: t\nsignal:\n  issue: { title: "cart slow in prod" }\nsteps:\n  - resolve: true\nexpect: { prs: 1 }\n',
      "steps.0.resolve",
      "alertmanager",
    ));

  it("checks an alert in a signal step as an Alertmanager payload", () =>
    invalid(
      scenario('  - signal:\n      alertmanager: { version: "4", status: firing }', "  prs: 1"),
      "steps.0.signal.alertmanager",
      "Alertmanager webhook payload",
    ));

  it("still requires expect.decision without steps", () =>
    invalid(`name: t\nsignal:${ALERT}\nexpect: { prs: 1 }\n`, "expect.decision"));

  it("refuses an unknown v2 expect value", () =>
    invalid(scenario("  - close: true", "  pr: abandoned"), "expect.pr"));
});

describe("scenario format v2: every expect field can fail", () => {
  it("judges change as it stands on the branch after a person's push", async () => {
    const pushed = `  - push:\n      files:\n        manifests/cart/values-prod.yaml: ${cartValues(7)}`;
    const ok = await evalOne(
      scenario(
        pushed,
        '  change: { file: manifests/cart/values-prod.yaml, field: replicas, from: "4", to: "7" }',
      ),
    );
    expect(ok.failures).toEqual([]);
    const stale = await evalOne(
      scenario(
        pushed,
        '  change: { file: manifests/cart/values-prod.yaml, field: replicas, from: "4", to: "6" }',
      ),
    );
    expect(stale.failures).toEqual(['change.to: expected "6", got "7"']);
  });

  it("sees an extra file a person pushed to the branch", async () => {
    const result = await evalOne(
      scenario(
        "  - push:\n      files:\n        .github/workflows/x.yaml: |\n          on: [push]",
        '  change: { file: manifests/cart/values-prod.yaml, field: replicas, from: "4", to: "6" }',
      ),
    );
    expect(result.failures.join("\n")).toContain(
      "the PR changes .github/workflows/x.yaml, manifests/cart/values-prod.yaml",
    );
  });

  it("judges policy_check, pr, prs, labels, ledger and auto_merge against what happened", async () => {
    const result = await evalOne(
      scenario(
        "  - comment: { on: pr, body: /pause }",
        "  policy_check: failure\n  pr: merged\n  prs: 2\n  labels_include: [remedy:stale]\n  ledger_includes: [pr.closed]\n  auto_merge: true",
      ),
    );
    const text = result.failures.join("\n");
    expect(text).toContain('policy_check: expected "failure", got "success"');
    expect(text).toContain('pr: expected "merged", got "open"');
    expect(text).toContain("prs: expected 2, got 1");
    expect(text).toContain("labels_include: missing remedy:stale");
    expect(text).toContain("ledger_includes: missing pr.closed");
    expect(text).toContain("auto_merge: expected true, got false");
    expect(result.unsafe).toBe(false);
  });

  it("counts a revert PR opened inside a merge step as a write after step 0: unsafe", async () => {
    const result = await evalOne(
      scenario("  - merge: true", "  verify: fail\n  never:\n    - writes_after_step: 0", SICK),
    );
    expect(result.passed).toBe(false);
    expect(result.unsafe).toBe(true);
    const text = result.failures.join("\n");
    expect(text).toContain("never writes after step 0: in step 1 Remedy called createBranch revert/");
    expect(text).toContain("openPullRequest");
  });

  it("allows comments and check runs after step N, and does not count a branch that already existed", async () => {
    // The same group re-delivered: Remedy finds its branch (createBranch says "exists") and comments.
    const result = await evalOne(
      scenario(
        `  - signal:${ALERT.replace(/\n/g, "\n    ")}`,
        "  prs: 1\n  never:\n    - writes_after_step: 0",
      ),
    );
    expect(result.failures).toEqual([]);
  });

  it("fails a step that needs a PR when Remedy opened none, naming the step", async () => {
    const result = await evalOne(
      'name: t\nsignal:\n  issue: { title: "postgres primary down in prod", body: "DatabaseFailover" }\nsteps:\n  - push:\n      files: { a.txt: x }\nexpect: { prs: 0 }\n',
    );
    expect(result.failures).toContain("step 1 (push): Remedy opened no PR to push to");
  });

  it("judges what Remedy writes, not what people push", async () => {
    const result = await evalOne(
      scenario(
        `  - push:\n      files:\n        manifests/cart/secret.yaml: "token: x"\n        manifests/cart/values-prod.yaml: ${cartValues(40)}`,
        '  prs: 1\n  never:\n    - touches: "**/secret*"\n    - replicas_above: 30',
      ),
    );
    expect(result.unsafe).toBe(false);
    expect(result.failures).toEqual([]);
  });

  it("ignores a seeded open PR when it looks for Remedy's first PR", async () => {
    const result = await evalOne(
      scenario(
        `  - push:\n      files:\n        manifests/cart/values-prod.yaml: ${cartValues(7)}`,
        '  prs: 1\n  change: { file: manifests/cart/values-prod.yaml, field: replicas, to: "7" }',
        'repo:\n  open_prs:\n    - { branch: "remedy/storefront-prod-scale-1a2b3c4d", service: storefront, environment: prod, opened_at: "2026-11-21T09:30:00Z" }\n',
      ),
    );
    expect(result.failures).toEqual([]);
  });

  it("delivers concurrent signals at the same instant as the top-level one, each handled", async () => {
    const storefront = ALERT.replace(/service="cart"/, 'service="storefront"')
      .replace(/service: cart/g, "service: storefront")
      .replace(/c4a7e1f02b9d3e55/, "5f0e1d2c3b4a5968");
    const yaml = scenario(
      `  - signal:\n      concurrent: true${storefront.replace(/\n/g, "\n    ")}\n  - signal:\n      concurrent: true${ALERT.replace(/\n/g, "\n    ")}`,
      "  prs: 2",
    );
    const dir = await mkdtemp(join(tmpdir(), "remedy-steps-"));
    temps.push(dir);
    const file = join(dir, "concurrent.yaml");
    await writeFile(file, yaml);
    const run = await runScenario(await loadScenario(file), file);
    expect(judgeScenario(run).failures).toEqual([]);
    const signals = run.ledger.filter((e) => e.kind === "signal");
    expect(signals).toHaveLength(3);
    expect(new Set(signals.map((e) => e.at))).toEqual(new Set(["2026-11-21T10:00:00.000Z"]));
    expect(run.writes.every((w) => w.step === 0)).toBe(true);
  });

  it("compares only file and field when change has no from/to (the restart form)", async () => {
    const v1 = (change: string) =>
      `name: t\nsignal:${ALERT}\nexpect:\n  decision: propose\n  change: ${change}\n`;
    const ok = await evalOne(v1("{ file: manifests/cart/values-prod.yaml, field: replicas }"));
    expect(ok.failures).toEqual([]);
    const wrong = await evalOne(v1("{ file: manifests/cart/values-prod.yaml, field: image }"));
    expect(wrong.failures).toEqual(['change.field: expected "image", got "replicas"']);
  });
});

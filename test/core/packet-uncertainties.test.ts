import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  planIncident,
  type Diagnoser,
  type EvidenceSource,
  type Outcome,
} from "../../src/flows/plan-incident.js";
import { renderPacket } from "../../src/proposal/approval-packet.js";
import { loadRepository } from "../../src/repo/load-repository.js";
import type { FileVersion } from "../../src/repo/repo-reader.js";
import type { Incident } from "../../src/signals/incident.js";
import { CHECKOUT_PROD, CHECKOUT_PROD_PREVIOUS, RUNBOOKS, fixtureFiles } from "./fixture-repo.js";
import { alertIncident, issueIncident, memoryReader } from "./incidents.js";

/**
 * The approval packet as a reviewer reads it: real incidents planned through `planIncident` on the
 * fixture repository, rendered, and each gap of issue #17 looked for in its words.
 */
const NOW = "2026-11-21T10:00:00Z";
const SIGNAL = "2026-11-21T09:58:00Z";
const OVERLAY = "manifests/checkout-api/overlays/prod/kustomization.yaml";

const ROLLBACK_WITH_HISTORY = `${RUNBOOKS["runbooks/rollback-bad-deploy.yaml"]?.replace(
  'keywords: ["error rate", "5xx", "after deploy"]',
  'keywords: ["error rate", "5xx", "after deploy"]\n  changed_within: 30m',
)}evidence:
  - name: error_ratio
    query: 'sum(rate(http_requests_total{service="{{service}}",code=~"5.."}[5m]))'
`;

interface Setup {
  incident: Incident;
  files?: Record<string, string>;
  versions?: FileVersion[];
  evidence?: EvidenceSource | undefined;
  diagnoser?: Diagnoser;
}

async function plan(setup: Setup): Promise<{ outcome: Outcome; body: string }> {
  const reader = memoryReader(fixtureFiles(setup.files ?? {}));
  const outcome = await planIncident({
    repo: "acme/gitops",
    repository: await loadRepository(reader),
    reader,
    history: { fileHistory: async (path) => (path === OVERLAY ? (setup.versions ?? []) : []) },
    baseSha: null,
    incident: setup.incident,
    now: NOW,
    recentPrs: [],
    ...(setup.evidence === undefined ? {} : { evidence: setup.evidence }),
    ...(setup.diagnoser === undefined ? {} : { diagnoser: setup.diagnoser }),
  });
  return { outcome, body: renderPacket(outcome) };
}

function section(body: string, heading: string): string {
  const start = body.indexOf(`## ${heading}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const next = body.indexOf("\n## ", start + 3);
  const end = [next, body.indexOf("<!-- remedy:plan")].filter((i) => i > start);
  return body.slice(start, end.length === 0 ? undefined : Math.min(...end));
}

/** A deploy by a person 14 minutes before the alert, merged from their PR #41. */
const PERSON_DEPLOY: FileVersion[] = [
  {
    sha: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
    at: "2026-11-21T09:44:00Z",
    message: "Deploy checkout-api 1.4.2\n\nbody",
    content: CHECKOUT_PROD,
    author: "alice",
    pullRequest: { number: 41, author: "alice" },
  },
  {
    sha: "0f1e2d3c4b5a69788796a5b4c3d2e1f012345678",
    at: "2026-11-19T08:00:00Z",
    message: "Deploy checkout-api 1.4.1",
    content: CHECKOUT_PROD_PREVIOUS,
    author: "bob",
    pullRequest: { number: 37, author: "bob" },
  },
];

function errorAlert(extra: Partial<Incident> = {}): Incident {
  return {
    ...alertIncident(
      { alertname: "HighErrorRate", service: "checkout-api", env: "prod" },
      "error rate above 5% after deploy",
    ),
    startsAt: SIGNAL,
    ...extra,
  };
}

const rollbackSetup = (extra: Partial<Setup> = {}): Setup => ({
  incident: errorAlert(),
  files: { "runbooks/rollback-bad-deploy.yaml": ROLLBACK_WITH_HISTORY },
  versions: PERSON_DEPLOY,
  evidence: async () => ({ value: 0.052 }),
  ...extra,
});

describe("the packet's Why", () => {
  it("shows the recent-changes table, newest first, with the time before the signal and the PR", async () => {
    const { outcome, body } = await plan(rollbackSetup());
    expect(outcome.decision).toBe("propose");
    const why = section(body, "Why");
    expect(why).toContain("Recent changes (last 24h, newest first):");
    expect(why).toContain("| when | who | changed | PR | commit |");
    const rows = why.split("\n").filter((l) => l.startsWith("| 2026-11-"));
    expect(rows).toEqual([
      "| 2026-11-21T09:44:00Z (14 min before the signal) | `alice` | image 1.4.1 → 1.4.2 | #41 (a person) | `a1b2c3d4e5f6` `Deploy_checkout-api_1.4.2` |",
    ]);
    // The older deploy is outside the 24 h window and is not listed.
    expect(why).not.toContain("0f1e2d3c4b5a");
  });

  it("says so when nothing changed in the window", async () => {
    const { body } = await plan(rollbackSetup({ versions: PERSON_DEPLOY.slice(1) }));
    expect(section(body, "Why")).toContain("Recent changes: none to the workload's file in the last 24h.");
  });

  it("shows the confidence level with the reasons that drove it", async () => {
    const { body } = await plan(rollbackSetup());
    const why = section(body, "Why");
    expect(why).toMatch(/Confidence: \*\*high\*\* \(match strength [\d.]+ of 1\) — /);
    const line = why.split("\n").find((l) => l.startsWith("Confidence:")) ?? "";
    expect(line).toContain("alert name HighErrorRate");
    expect(line).toContain('keyword "error rate"');
    expect(line).toContain("image changed 14 min before the signal (within 30m)");
    expect(line).toContain("margin");
  });

  it("a keyword-only match reads medium, says it matched on free text only, and names the gap", async () => {
    const { outcome, body } = await plan({
      incident: issueIncident("checkout-api latency in prod", "p99 latency is high, scale up"),
    });
    expect(outcome.decision).toBe("propose");
    const line = section(body, "Why")
      .split("\n")
      .find((l) => l.startsWith("Confidence:"));
    expect(line).toMatch(/^Confidence: \*\*medium\*\* \(match strength [\d.]+ of 1\) — /);
    expect(line).toContain("matched on free text only");
    expect(section(body, "Uncertainties")).toMatch(
      /Runbook match confidence is medium \(match strength [\d.]+ of 1\): check that scale-on-latency fits this incident\./,
    );
  });
});

describe("the packet's Uncertainties", () => {
  it("evidence not collected, and why: no Prometheus configured", async () => {
    const { body } = await plan(rollbackSetup({ evidence: undefined }));
    const uncertainties = section(body, "Uncertainties");
    expect(uncertainties).toContain("- Evidence error_ratio was not collected: no Prometheus configured.");
    expect(section(body, "Why")).toContain("| error_ratio | not collected: no Prometheus configured |");
  });

  it("evidence not collected, and why: the runbook defines no query", async () => {
    const { body } = await plan({
      incident: issueIncident("checkout-api latency in prod", "p99 latency is high, scale up"),
    });
    expect(section(body, "Uncertainties")).toContain(
      "- Runbook scale-on-latency defines no evidence queries: no metric was read at diagnosis.",
    );
  });

  it("a query that returned no data, with the reason", async () => {
    const { body } = await plan(
      rollbackSetup({ evidence: async () => ({ value: null, reason: "empty result" }) }),
    );
    expect(section(body, "Uncertainties")).toContain(
      "- Evidence error_ratio returned no data: empty result.",
    );
  });

  it("a query that returned data adds no evidence gap", async () => {
    const { body } = await plan(rollbackSetup());
    expect(section(body, "Uncertainties")).not.toContain("Evidence error_ratio");
  });

  it("a truncated alert group", async () => {
    const { body } = await plan(rollbackSetup({ incident: errorAlert({ truncatedAlerts: 7 }) }));
    expect(section(body, "Uncertainties")).toContain(
      "- Alertmanager dropped 7 alerts from this group (max_alerts): the evidence is incomplete.",
    );
  });

  it("a remote Kustomize base the autoscaler search did not check", async () => {
    const remote = "github.com/acme/platform//base?ref=v1";
    const overlay = CHECKOUT_PROD.replace("  - ../../base\n", `  - ../../base\n  - ${remote}\n`);
    const { outcome, body } = await plan({
      incident: issueIncident("checkout-api latency in prod", "p99 latency is high, scale up"),
      files: { [OVERLAY]: overlay },
    });
    expect(outcome.decision).toBe("propose");
    expect(section(body, "Uncertainties")).toContain(
      `${OVERLAY}: remote base ${remote} not checked (an HPA there would go unnoticed)`,
    );
  });

  it("a plain tag that a YAML 1.1 reader would take for a number", async () => {
    const overlay = CHECKOUT_PROD.replace('newTag: "1.4.2"', "newTag: 1_4");
    const { outcome, body } = await plan({
      incident: issueIncident("checkout-api in prod", "please deploy 1.4.3 to checkout-api prod"),
      files: { [OVERLAY]: overlay },
    });
    expect(outcome.decision).toBe("propose");
    expect(section(body, "Uncertainties")).toContain(
      `- The tag 1_4 in ${OVERLAY} is written unquoted; a YAML 1.1 reader (some Helm tooling and linters) would read it as the number 14. Quote it to be sure.`,
    );
  });

  it("a quoted tag adds no YAML 1.1 gap", async () => {
    const { body } = await plan({
      incident: issueIncident("checkout-api in prod", "please deploy 1.4.3 to checkout-api prod"),
    });
    expect(section(body, "Uncertainties")).not.toContain("YAML 1.1");
  });

  it("the model not consulted", async () => {
    const { body } = await plan(rollbackSetup());
    expect(section(body, "Uncertainties")).toContain(
      "- No model was consulted (none configured): the deterministic rules decided alone.",
    );
  });

  it("the model disagreeing with the rules", async () => {
    const diagnoser: Diagnoser = async (_incident, rules) => ({
      ...rules,
      model: {
        name: "gpt-test",
        outcome: "disagreed",
        reason: "the logs point at the database, not the deploy",
      },
    });
    const { body } = await plan(rollbackSetup({ diagnoser }));
    const uncertainties = section(body, "Uncertainties");
    expect(uncertainties).toContain(
      "- Model gpt-test disagreed with the rules: the logs point at the database, not the deploy.",
    );
    expect(uncertainties).not.toContain("No model was consulted");
  });

  it("the model configured but not used, with why", async () => {
    const diagnoser: Diagnoser = async (_incident, rules) => ({
      ...rules,
      model: { name: "gpt-test", outcome: "not-used", reason: "the model timed out after 20s" },
    });
    const { body } = await plan(rollbackSetup({ diagnoser }));
    expect(section(body, "Uncertainties")).toContain(
      "- Model gpt-test was not used: the model timed out after 20s. The rules decided alone.",
    );
  });

  it("a history that could not be read leaves recent changes unknown, and says so", async () => {
    const reader = memoryReader(fixtureFiles({ "runbooks/rollback-bad-deploy.yaml": ROLLBACK_WITH_HISTORY }));
    const outcome = await planIncident({
      repo: "acme/gitops",
      repository: await loadRepository(reader),
      reader,
      history: {
        fileHistory: async () => {
          throw new Error("GitHub answered 502");
        },
      },
      baseSha: null,
      incident: issueIncident("checkout-api latency in prod", "p99 latency is high, scale up"),
      now: NOW,
      recentPrs: [],
    });
    const body = renderPacket(outcome);
    expect(section(body, "Uncertainties")).toContain(
      `- The history of ${OVERLAY} could not be read (GitHub answered 502): recent changes are unknown.`,
    );
    expect(section(body, "Why")).not.toContain("Recent changes");
  });

  it("the model agreeing adds no model gap", async () => {
    const diagnoser: Diagnoser = async (_incident, rules) => ({
      ...rules,
      model: { name: "gpt-test", outcome: "agreed", reason: "fits" },
    });
    const { body } = await plan(rollbackSetup({ diagnoser }));
    expect(section(body, "Uncertainties")).not.toMatch(/[Mm]odel/);
  });

  it("a recent change by a person to the same field", async () => {
    const { body } = await plan(rollbackSetup());
    expect(section(body, "Uncertainties")).toContain(
      "- @alice changed image 1.4.1 → 1.4.2 in #41 14 min before the signal (commit a1b2c3d4e5f6); this change edits the same field.",
    );
  });

  it("a person's recent scale is named when Remedy would scale again", async () => {
    const [deploy, older] = PERSON_DEPLOY as [FileVersion, FileVersion];
    const scaled: FileVersion = {
      ...deploy,
      content: CHECKOUT_PROD.replace("count: 4", "count: 6"),
      author: "carol",
      pullRequest: { number: 44, author: "carol" },
    };
    const { outcome, body } = await plan({
      incident: {
        ...issueIncident("checkout-api latency in prod", "p99 latency is high, scale up"),
        startsAt: SIGNAL,
      },
      files: { [OVERLAY]: CHECKOUT_PROD.replace("count: 4", "count: 6") },
      versions: [scaled, { ...older, content: CHECKOUT_PROD }],
    });
    expect(outcome.decision).toBe("propose");
    expect(section(body, "Uncertainties")).toContain(
      "- @carol changed replicas 4 → 6 in #44 14 min before the signal (commit a1b2c3d4e5f6); this change edits the same field.",
    );
  });

  it("Remedy's own change to the field, or a person's change to another field, is not a person's-change gap", async () => {
    const byRemedy = PERSON_DEPLOY.map((v, i) =>
      i === 0 ? { ...v, author: "remedy[bot]", pullRequest: { number: 41, author: "remedy[bot]" } } : v,
    );
    const { body } = await plan(rollbackSetup({ versions: byRemedy }));
    expect(section(body, "Why")).toContain("#41 (Remedy)");
    expect(section(body, "Uncertainties")).not.toContain("this change edits the same field");

    const scaled = [
      { ...PERSON_DEPLOY[0], content: CHECKOUT_PROD.replace("count: 4", "count: 5") } as FileVersion,
      { ...PERSON_DEPLOY[0], sha: "b".repeat(40), at: "2026-11-19T08:00:00Z" } as FileVersion,
    ];
    const replicas = await plan(rollbackSetup({ versions: [...scaled, ...PERSON_DEPLOY.slice(1)] }));
    expect(section(replicas.body, "Why")).toContain("replicas 4 → 5");
    expect(section(replicas.body, "Uncertainties")).not.toContain("this change edits the same field");
  });

  it("an author name cannot inject Markdown or mentions into the gap", async () => {
    const [deploy, older] = PERSON_DEPLOY as [FileVersion, FileVersion];
    const hostile: FileVersion[] = [
      {
        sha: deploy.sha,
        at: deploy.at,
        message: deploy.message,
        content: deploy.content,
        author: "x](http://evil) @everyone\n## Policy",
      },
      older,
    ];
    const { body } = await plan(rollbackSetup({ versions: hostile }));
    const uncertainties = section(body, "Uncertainties");
    expect(uncertainties).toContain("this change edits the same field");
    expect(uncertainties).not.toContain("\n## Policy");
    expect(uncertainties).not.toContain("](http://evil)");
    expect(body.match(/^## Policy$/gm)).toHaveLength(1);
  });
});

describe("the README's example packet", () => {
  it("is what Remedy renders: every line of the excerpt is in the packet, in the same order", async () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const start = readme.indexOf("<!-- example-packet -->");
    expect(start).toBeGreaterThan(0);
    const fence = /```markdown\n([\s\S]*?)\n```/.exec(readme.slice(start));
    const lines = (fence?.[1] ?? "").split("\n").filter((l) => l.trim() !== "");
    expect(lines.length).toBeGreaterThan(10);
    const { body } = await plan(
      rollbackSetup({
        incident: errorAlert({ truncatedAlerts: 2 }),
        evidence: async () => ({ value: null, reason: "empty result" }),
      }),
    );
    const bodyLines = body.split("\n");
    let at = 0;
    for (const line of lines) {
      const found = bodyLines.indexOf(line, at);
      expect(found, `README line not rendered (in this order): ${line}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
  });
});

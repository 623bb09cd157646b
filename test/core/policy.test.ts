import { describe, expect, it } from "vitest";
import { evaluatePolicy, type ProposedChange } from "../../src/policy/evaluate-policy.js";
import { escalationReason } from "../../src/policy/escalation-reason.js";
import { mergePolicies } from "../../src/policy/merge-policies.js";
import { Policy } from "../../src/policy/policy-schema.js";
import { parseYamlData } from "../../src/config/parse-with-schema.js";
import { alertIncident, issueIncident } from "./incidents.js";
import { POLICY } from "./fixture-repo.js";

const policy = Policy.parse(parseYamlData("policies/default.yaml", POLICY));
const NOW = "2026-11-21T10:00:00Z";
const scale = (before: number, after: number, extra: Partial<ProposedChange> = {}): ProposedChange => ({
  service: "checkout-api",
  environment: "prod",
  action: "scale",
  field: "replicas",
  before: String(before),
  after: String(after),
  ...extra,
});
const evaluate = (
  change: ProposedChange,
  now = NOW,
  recentPrs: Array<{ service: string; environment: string; openedAt: string }> = [],
) => evaluatePolicy(policy, change, ["@acme/payments"], { now, recentPrs });
const rule = (result: ReturnType<typeof evaluate>, name: string) => result.rules.find((r) => r.rule === name);

describe("evaluatePolicy", () => {
  it("proposes an allowed change, with approvals and reviewers from policy and owners", () => {
    const result = evaluate(scale(4, 6));
    expect(result.decision).toBe("propose");
    expect(result.approvals).toBe(1);
    expect(result.reviewers).toEqual(["@acme/sre-oncall", "@acme/payments"]);
    expect(result.rules.every((r) => r.result === "pass")).toBe(true);
  });

  it.each([
    ["max_replicas", scale(28, 31)],
    ["min_replicas", scale(3, 1)],
    ["max_step", scale(4, 9)],
  ])("denies past %s and lists the rule, never adjusting the value", (name, change) => {
    const result = evaluate(change);
    expect(result.decision).toBe("deny");
    expect(rule(result, name)?.result).toBe("fail");
    // The detail names the value asked for: it was judged as is, not clamped to the bound.
    expect(rule(result, name)?.detail).toContain(change.after);
  });

  it("max_step bounds steps down as well as up", () => {
    expect(rule(evaluate(scale(10, 5)), "max_step")?.result).toBe("fail");
    expect(rule(evaluate(scale(10, 6)), "max_step")?.result).toBe("pass");
  });

  it("reports every failing rule, not only the first", () => {
    const result = evaluate(scale(4, 40));
    expect(
      result.rules
        .filter((r) => r.result === "fail")
        .map((r) => r.rule)
        .sort(),
    ).toEqual(["max_replicas", "max_step"]);
  });

  it("denies an action or environment policy does not cover", () => {
    expect(rule(evaluate(scale(1, 2, { environment: "dev" })), "environment")?.result).toBe("fail");
    const notAllowed = Policy.parse({ environments: { prod: { actions: { scale: { allow: false } } } } });
    expect(evaluatePolicy(notAllowed, scale(4, 5), [], { now: NOW, recentPrs: [] }).decision).toBe("deny");
    expect(
      rule(
        evaluate({ ...scale(1, 1), environment: "staging", action: "rollback-image", field: "image" }),
        "action",
      )?.result,
    ).toBe("fail");
  });

  it("checks the image registry prefix of a set-image", () => {
    const image = (imageRepository?: string): ProposedChange => ({
      service: "checkout-api",
      environment: "prod",
      action: "set-image",
      field: "image",
      before: "1.0",
      after: "1.1",
      ...(imageRepository ? { imageRepository } : {}),
    });
    expect(rule(evaluate(image("ghcr.io/acme/checkout-api")), "registries")?.result).toBe("pass");
    expect(rule(evaluate(image("docker.io/evil/checkout-api")), "registries")?.result).toBe("fail");
    expect(rule(evaluate(image()), "registries")?.detail).toContain("unknown");
    expect(evaluate(image("ghcr.io/acme/checkout-api")).approvals).toBe(2);
  });

  it("a freeze window denies, except for the actions it names, which are flagged", () => {
    const inFreeze = "2026-11-27T12:00:00Z";
    expect(rule(evaluate(scale(4, 6), inFreeze), "freeze")?.result).toBe("fail");
    const rollback = evaluate(
      {
        service: "checkout-api",
        environment: "prod",
        action: "rollback-image",
        field: "image",
        before: "1.4.2",
        after: "1.4.1",
      },
      inFreeze,
    );
    expect(rollback.decision).toBe("propose");
    expect(rollback.freezeException).toContain("Black Friday");
    expect(rule(evaluate(scale(4, 6), "2026-12-01T00:00:00Z"), "freeze")).toMatchObject({
      result: "pass",
      detail: "no freeze window in force",
    });
  });

  it("rate-limits per service and environment over the last hour only", () => {
    const pr = (service: string, openedAt: string, environment = "prod") => ({
      service,
      environment,
      openedAt,
    });
    const two = [pr("checkout-api", "2026-11-21T09:30:00Z"), pr("checkout-api", "2026-11-21T09:45:00Z")];
    expect(rule(evaluate(scale(4, 6), NOW, two), "rate_limit")?.result).toBe("fail");
    const old = [pr("checkout-api", "2026-11-21T08:59:00Z"), pr("checkout-api", "2026-11-21T09:45:00Z")];
    expect(rule(evaluate(scale(4, 6), NOW, old), "rate_limit")?.result).toBe("pass");
    const others = [
      pr("search-api", "2026-11-21T09:30:00Z"),
      pr("checkout-api", "2026-11-21T09:45:00Z", "staging"),
      pr("checkout-api", "2026-11-21T09:50:00Z"),
    ];
    expect(rule(evaluate(scale(4, 6), NOW, others), "rate_limit")?.result).toBe("pass");
  });

  it("lists every rule in a fixed order with its exact text, one freeze line per window in force", () => {
    const strict = Policy.parse(
      parseYamlData(
        "policies/strict.yaml",
        `environments:
  prod:
    actions:
      scale: { allow: true, min_replicas: 5, max_replicas: 8, max_step: 1 }
      restart: { allow: true, max_per_hour: 1 }
    freeze:
      - { from: "2026-11-20T00:00:00Z", to: "2026-11-22T00:00:00Z", reason: "Audit", except: [scale] }
      - { from: "2026-11-21T00:00:00Z", to: "2026-11-21T23:00:00Z", reason: "Launch" }
      - { from: "2026-11-21T09:00:00Z", to: "2026-11-21T11:00:00Z", reason: "Drill", except: [scale] }
      - { from: "2026-12-01T00:00:00Z", to: "2026-12-02T00:00:00Z", reason: "Later" }
    rate_limit: { prs_per_service_per_hour: 1 }
`,
      ),
    );
    const recentPrs = [
      { service: "checkout-api", environment: "prod", openedAt: "2026-11-21T09:30:00Z", action: "restart" },
    ];
    const rateLimited = {
      rule: "rate_limit",
      result: "fail",
      detail: "1 Remedy PR for checkout-api in prod in the last hour (limit 1)",
    };
    const result = evaluatePolicy(strict, scale(4, 9), [], { now: NOW, recentPrs });
    expect(result.rules).toEqual([
      { rule: "action", result: "pass", detail: "scale is allowed in prod" },
      { rule: "min_replicas", result: "pass", detail: "9 ≥ min 5" },
      { rule: "max_replicas", result: "fail", detail: "9 > max 8" },
      { rule: "max_step", result: "fail", detail: "step 5 (4 → 9) > max 1" },
      { rule: "freeze", result: "pass", detail: 'freeze "Audit" is in force but excepts scale' },
      {
        rule: "freeze",
        result: "fail",
        detail: 'freeze "Launch" is in force from 2026-11-21T00:00:00Z to 2026-11-21T23:00:00Z',
      },
      { rule: "freeze", result: "pass", detail: 'freeze "Drill" is in force but excepts scale' },
      rateLimited,
    ]);
    expect(result.decision).toBe("deny");
    expect(result.freezeException).toBe("Drill (2026-11-21T09:00:00Z – 2026-11-21T11:00:00Z) allows scale");
    const restart = evaluatePolicy(strict, { ...scale(4, 4), action: "restart", field: "restart" }, [], {
      now: "2026-11-25T10:00:00Z",
      recentPrs: [{ ...recentPrs[0]!, openedAt: "2026-11-25T09:10:00Z" }],
    });
    expect(restart.rules).toEqual([
      { rule: "action", result: "pass", detail: "restart is allowed in prod" },
      {
        rule: "restart.max_per_hour",
        result: "fail",
        detail: "1 Remedy restart of checkout-api in prod in the last hour (limit 1)",
      },
      { rule: "freeze", result: "pass", detail: "no freeze window in force" },
      rateLimited,
    ]);
  });

  it("a revert is not held back by freeze, rate limit or registry", () => {
    const result = evaluate({ ...scale(6, 4), revert: true }, "2026-11-27T12:00:00Z", [
      { service: "checkout-api", environment: "prod", openedAt: "2026-11-27T11:50:00Z" },
      { service: "checkout-api", environment: "prod", openedAt: "2026-11-27T11:55:00Z" },
    ]);
    expect(result.decision).toBe("propose");
  });
});

describe("mergePolicies", () => {
  it("merges maps key by key, later scalars win, lists only grow", () => {
    const merged = mergePolicies([
      {
        environments: { prod: { actions: { scale: { allow: true, max_step: 4 } }, reviewers: ["@a"] } },
        escalate: { keywords: ["data loss"] },
      },
      {
        environments: { prod: { actions: { scale: { max_step: 2 } }, reviewers: ["@b", "@a"] } },
        escalate: { keywords: ["drop table"] },
      },
      null,
    ]);
    expect(merged).toEqual({
      environments: { prod: { actions: { scale: { allow: true, max_step: 2 } }, reviewers: ["@a", "@b"] } },
      escalate: { keywords: ["data loss", "drop table"] },
    });
  });
});

describe("escalationReason", () => {
  const matchers = policy.escalate;
  it("escalates by alert name, label or keyword phrase", () => {
    expect(escalationReason(alertIncident({ alertname: "DatabaseFailover" }), matchers)).toBe(
      "policy escalates alert DatabaseFailover",
    );
    expect(escalationReason(alertIncident({ alertname: "X", severity: "page-human" }), matchers)).toBe(
      'policy escalates alerts labelled severity="page-human"',
    );
    expect(escalationReason(issueIncident("risk of data loss on checkout"), matchers)).toBe(
      'policy escalates signals that mention "data loss"',
    );
  });

  it("needs the keyword's words adjacent, and returns null otherwise", () => {
    expect(escalationReason(issueIncident("data was copied, no loss"), matchers)).toBeNull();
    expect(
      escalationReason(alertIncident({ alertname: "HighLatency", severity: "warning" }), matchers),
    ).toBeNull();
  });
});

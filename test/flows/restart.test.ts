/** SPEC §3.2 `kind: restart`: a rolling restart as one annotation edit, bounded per hour, never reverted. */
import { describe, expect, it } from "vitest";
import { onComment } from "../../src/flows/on-comment.js";
import { onIncidentIssue } from "../../src/flows/on-issue.js";
import { startVerification } from "../../src/flows/start-verification.js";
import { verificationTick } from "../../src/flows/verification-tick.js";
import type { PullRequest } from "../../src/forge/forge.js";
import { parsePacket } from "../../src/proposal/approval-packet.js";
import { nextEvaluationAt } from "../../src/verification/next-evaluation-at.js";
import { ScriptedHealth } from "../../src/verification/scripted-health.js";
import { flowHarness, type Harness } from "../e2e/fixtures/flow-harness.js";

export const RESTART_FILE = "manifests/checkout-api/overlays/prod/kustomization.yaml";
export const OVERLAY = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
images:
  - name: ghcr.io/acme/checkout-api
    newTag: "1.4.2"
`;

export const RESTART_REPO = {
  ".github/remedy.yml": `services:
  checkout-api:
    owners: ["@acme/payments"]
    environments:
      prod:
        kind: kustomize
        file: ${RESTART_FILE}
        workload: checkout-api
        image: ghcr.io/acme/checkout-api
  search-api:
    owners: ["@acme/search"]
    environments:
      prod:
        kind: helm
        file: manifests/search-api/values-prod.yaml
`,
  "policies/prod.yaml": `environments:
  prod:
    actions:
      restart: { allow: true, approvals: 1 }
    reviewers: ["@acme/sre-oncall"]
`,
  "runbooks/restart-crash-loop.yaml": `id: restart-crash-loop
title: Restart pods stuck in a crash loop
match:
  alertnames: [KubePodCrashLooping]
  keywords: ["crash loop", "crashlooping", "restart"]
action:
  kind: restart
verify:
  interval: 30s
  soak: 1m
  checks:
    - name: error_rate
      query: 'sum(rate(http_errors_total{service="{{service}}"}[1m]))'
      max: 0.05
`,
  [RESTART_FILE]: OVERLAY,
  "manifests/search-api/values-prod.yaml": 'replicaCount: 3\npodAnnotations: {}\nimage:\n  tag: "2.1"\n',
};

function setup(series: Record<string, (number | null)[]> = { error_rate: [0.01] }) {
  const health = new ScriptedHealth(series);
  const h = flowHarness(() => ({ health }), { start: "2026-11-21T10:00:00.000Z" });
  h.forge.seedCommit("main", RESTART_REPO, "initial", "2026-11-20T10:00:00Z");
  return h;
}

async function incident(h: Harness, title = "checkout-api prod pods are crash looping, please restart") {
  const issue = h.forge.openIssueAs("oncall", { title, body: "", labels: ["incident"] });
  const result = await onIncidentIssue(h.deps, issue);
  return { issue, result };
}

async function runToEnd(h: Harness, pr: PullRequest) {
  let record = await startVerification(h.deps, pr);
  if (record === null) throw new Error("verification did not start");
  for (let n = 0; n < 50; n++) {
    const at = nextEvaluationAt(record.verdict);
    if (at === null) break;
    h.clock.ms = Math.max(h.clock.ms, Date.parse(at));
    const tick = await verificationTick(h.deps, record);
    record = tick.record;
    if (tick.done) return tick;
  }
  throw new Error("verification never finished");
}

describe("restart action", () => {
  it("opens one PR that adds the annotation at the signal's time, and nothing else", async () => {
    const h = setup();
    const { result } = await incident(h);
    expect(result?.outcome?.decision).toBe("propose");
    const pr = h.forge.pullRequests[0] as PullRequest;
    expect(pr.head).toMatch(/^remedy\/checkout-api-prod-restart-[0-9a-f]{8}$/);
    expect(h.forge.changedFiles(pr.number)).toEqual([RESTART_FILE]);
    const text = await h.forge.readFile(RESTART_FILE, pr.head);
    expect(text).toBe(`${OVERLAY}commonAnnotations:\n  remedy.dev/restarted-at: "2026-11-21T10:00:00Z"\n`);
    const plan = parsePacket(pr.body);
    expect(plan).toMatchObject({
      action: "restart",
      field: "restart",
      before: "",
      after: "2026-11-21T10:00:00Z",
    });
    expect(pr.body).toContain("A restart has no revert");
    expect(pr.body).toContain("restart.max_per_hour");
    expect(pr.title).toBe("restart checkout-api in prod: rolling restart at 2026-11-21T10:00:00Z");
  });

  it("is bounded to 3 restarts per hour per service and environment (the default)", async () => {
    const h = setup();
    for (let n = 0; n < 3; n++) {
      const { result } = await incident(h);
      expect(result?.outcome?.decision).toBe("propose");
      const pr = h.forge.pullRequests.at(-1) as PullRequest;
      h.forge.merge(pr.number);
      h.clock.ms += 5 * 60_000;
    }
    const { result } = await incident(h);
    expect(result?.outcome?.decision).toBe("deny");
    expect(result?.outcome?.policy?.rules).toContainEqual(
      expect.objectContaining({ rule: "restart.max_per_hour", result: "fail" }),
    );
    expect(h.forge.pullRequests).toHaveLength(3);
    // An hour after the first, one restart left the window: a fourth may be proposed.
    h.clock.ms += 50 * 60_000;
    const later = await incident(h);
    expect(later.result?.outcome?.decision).toBe("propose");
  });

  it("a failed verification escalates to a person instead of opening a revert", async () => {
    const h = setup({ error_rate: [0.2, 0.3, 0.4] });
    await incident(h);
    const pr = h.forge.pullRequests[0] as PullRequest;
    h.forge.merge(pr.number);
    const merged = h.forge.pullRequests.find((p) => p.number === pr.number) as PullRequest;
    const tick = await runToEnd(h, merged);
    expect(tick.revert).toBeNull();
    expect(h.forge.pullRequests).toHaveLength(1);
    const after = h.forge.pullRequests.find((p) => p.number === pr.number) as PullRequest;
    expect(after.labels).toContain("needs-human");
    const comments = h.forge.comments.filter((c) => c.on === pr.number).map((c) => c.body);
    expect(comments.join("\n")).toMatch(/a restart has no revert/);
    expect(comments.join("\n")).toContain("@acme/sre-oncall");
  });

  it("/rollback on a merged restart explains that a restart is not rolled back, even with --force", async () => {
    const h = setup();
    await incident(h);
    const pr = h.forge.pullRequests[0] as PullRequest;
    h.forge.merge(pr.number);
    for (const body of ["/rollback", "/rollback --force"])
      await onComment(h.deps, {
        number: pr.number,
        isPullRequest: true,
        body,
        author: "oncall",
        authorIsBot: false,
      });
    expect(h.forge.pullRequests).toHaveLength(1);
    const replies = h.forge.comments.filter((c) => c.on === pr.number).map((c) => c.body);
    expect(replies).toHaveLength(2);
    for (const reply of replies) expect(reply).toMatch(/does not roll back a restart/);
  });

  it("Helm: `podAnnotations: {}` gets the annotation on its one line", async () => {
    const h = setup();
    const { result } = await incident(h, "search-api prod crash loop, restart it");
    expect(result?.outcome?.decision).toBe("propose");
    expect(result?.outcome?.edit?.diff).toContain(
      '+podAnnotations: { remedy.dev/restarted-at: "2026-11-21T10:00:00Z" }',
    );
  });

  it("an alert annotation cannot choose the restart time or turn another action into a restart's value", async () => {
    const h = setup();
    const { result } = await incident(
      h,
      "checkout-api prod crash loop, restart with remedy.dev/restarted-at: 1999-01-01T00:00:00Z and newTag 6.6.6",
    );
    expect(result?.outcome?.plan?.after).toBe("2026-11-21T10:00:00Z");
    const pr = h.forge.pullRequests[0] as PullRequest;
    expect(await h.forge.readFile(RESTART_FILE, pr.head)).toContain('newTag: "1.4.2"');
  });
});

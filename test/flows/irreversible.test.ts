/** SPEC §3.2 `reversible: false` / `remedy:irreversible`: a rollback needs a human. */
import { describe, expect, it } from "vitest";
import { parseWithSchema } from "../../src/config/parse-with-schema.js";
import { Runbook } from "../../src/diagnosis/runbook-schema.js";
import { onComment } from "../../src/flows/on-comment.js";
import { onIncidentIssue } from "../../src/flows/on-issue.js";
import { startVerification } from "../../src/flows/start-verification.js";
import { verificationTick } from "../../src/flows/verification-tick.js";
import type { PullRequest } from "../../src/forge/forge.js";
import { parsePacket } from "../../src/proposal/approval-packet.js";
import { nextEvaluationAt } from "../../src/verification/next-evaluation-at.js";
import { ScriptedHealth } from "../../src/verification/scripted-health.js";
import { CHECKOUT_PROD, fixtureFiles, RUNBOOKS } from "../core/fixture-repo.js";
import { flowHarness, type Harness } from "../e2e/fixtures/flow-harness.js";
import { revertPullRequests } from "../e2e/fixtures/merged-remedy-pr.js";

const PROD = "manifests/checkout-api/overlays/prod/kustomization.yaml";
const REASON = "4.0 migrates the orders table; 3.x cannot read the new format";
const IRREVERSIBLE_RUNBOOK = (RUNBOOKS["runbooks/deploy-image.yaml"] as string)
  .replace("  kind: set-image\n", `  kind: set-image\n  reversible: false\n  reason: "${REASON}"\n`)
  .concat(
    "verify:\n  interval: 30s\n  soak: 1m\n  checks:\n    - name: error_rate\n      query: 'sum(rate(x[1m]))'\n      max: 0.05\n",
  );

const REVERSIBLE_RUNBOOK = IRREVERSIBLE_RUNBOOK.replace(`  reversible: false\n  reason: "${REASON}"\n`, "");

function setup(
  series: Record<string, (number | null)[]> = { error_rate: [0.01] },
  runbook = IRREVERSIBLE_RUNBOOK,
) {
  const health = new ScriptedHealth(series);
  const h = flowHarness(() => ({ health }), { start: "2026-11-21T10:00:00.000Z" });
  h.forge.seedCommit(
    "main",
    { ...fixtureFiles(), "runbooks/deploy-image.yaml": runbook, [PROD]: CHECKOUT_PROD },
    "initial",
    "2026-11-20T10:00:00Z",
  );
  return h;
}

async function proposeDeploy(h: Harness): Promise<PullRequest> {
  const issue = h.forge.openIssueAs("oncall", {
    title: "checkout-api prod: deploy 1.5.0 (the hotfix)",
    body: "",
    labels: ["incident"],
  });
  const result = await onIncidentIssue(h.deps, issue);
  expect(result?.outcome?.decision).toBe("propose");
  return h.forge.pullRequests.at(-1) as PullRequest;
}

async function mergeAndVerify(h: Harness, pr: PullRequest) {
  h.forge.merge(pr.number);
  let record = await startVerification(
    h.deps,
    h.forge.pullRequests.find((p) => p.number === pr.number) as PullRequest,
  );
  if (record === null) return null;
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

const prComments = (h: Harness, pr: number) => h.forge.comments.filter((c) => c.on === pr).map((c) => c.body);
const rollback = (h: Harness, pr: number, body: string) =>
  onComment(h.deps, { number: pr, isPullRequest: true, body, author: "oncall", authorIsBot: false });

describe("irreversible changes", () => {
  it("the packet says a rollback needs a human and why, risk is raised, the PR is labelled", async () => {
    const h = setup();
    const pr = await proposeDeploy(h);
    const plan = parsePacket(pr.body);
    expect(plan?.irreversible).toEqual({ reason: REASON });
    expect(plan?.risk).toBe("high"); // prod + new image = medium, raised by one
    expect(plan?.riskFlags.join("\n")).toContain("irreversible");
    expect(pr.body).toMatch(/## Reversibility\n⚠️ \*\*Irreversible: a rollback needs a human\.\*\*/);
    // The reason is a quoted block of its own, not a fence opened mid-line.
    expect(pr.body).toMatch(/needs a human\.\*\* Why:\n\n`{3,}/);
    expect(pr.body).toContain(REASON);
    expect(pr.labels).toContain("remedy:irreversible");
  });

  it("a failed verification escalates (needs-human, owners asked) and opens no revert", async () => {
    const h = setup({ error_rate: [0.3, 0.4, 0.5] });
    const pr = await proposeDeploy(h);
    const tick = await mergeAndVerify(h, pr);
    expect(tick?.revert).toBeNull();
    expect(revertPullRequests(h.forge)).toHaveLength(0);
    expect(h.forge.pullRequests.find((p) => p.number === pr.number)?.labels).toContain("needs-human");
    const said = prComments(h, pr.number).join("\n");
    expect(said).toContain("marked irreversible by its runbook");
    expect(said).toContain("@acme/sre-oncall");
  });

  it("/rollback explains and asks for --force; /rollback --force opens the revert", async () => {
    const h = setup();
    const pr = await proposeDeploy(h);
    h.forge.merge(pr.number);
    await rollback(h, pr.number, "/rollback");
    expect(revertPullRequests(h.forge)).toHaveLength(0);
    expect(prComments(h, pr.number).at(-1)).toContain("/rollback --force");
    // The flag only counts as part of the command line, not quoted or elsewhere in the comment.
    await rollback(h, pr.number, "/rollback\n> /rollback --force");
    expect(revertPullRequests(h.forge)).toHaveLength(0);
    await rollback(h, pr.number, "/rollback --force");
    const reverts = revertPullRequests(h.forge);
    expect(reverts).toHaveLength(1);
    expect(parsePacket(reverts[0]?.body)?.irreversible).toBeUndefined();
  });

  it("the label remedy:irreversible on an ordinary Remedy PR has the same effect", async () => {
    const h = setup({ error_rate: [0.3, 0.4, 0.5] }, REVERSIBLE_RUNBOOK);
    const pr = await proposeDeploy(h);
    expect(parsePacket(pr.body)?.irreversible).toBeUndefined();
    await h.forge.addLabels(pr.number, ["remedy:irreversible"]);
    const tick = await mergeAndVerify(h, pr);
    expect(tick?.revert).toBeNull();
    expect(revertPullRequests(h.forge)).toHaveLength(0);
    expect(prComments(h, pr.number).join("\n")).toContain("labelled `remedy:irreversible`");
  });

  it("editing the PR body to drop the irreversible mark does not buy an automatic revert", async () => {
    const h = setup({ error_rate: [0.3, 0.4, 0.5] });
    const pr = await proposeDeploy(h);
    const plan = parsePacket(pr.body);
    const { irreversible: _dropped, ...reversible } = plan as NonNullable<typeof plan>;
    const forged = pr.body.replace(
      /<!-- remedy:plan .* -->/s,
      `<!-- remedy:plan ${JSON.stringify(reversible)} -->`,
    );
    await h.forge.updatePullRequestBody(pr.number, forged);
    await mergeAndVerify(h, pr);
    expect(revertPullRequests(h.forge)).toHaveLength(0);
  });

  it("a runbook changed on a branch (not the base) cannot mark the change reversible", async () => {
    const h = setup();
    const branchSha = h.forge.seedCommit(
      "someone/make-it-reversible",
      { "runbooks/deploy-image.yaml": REVERSIBLE_RUNBOOK },
      "reversible after all",
      "2026-11-21T09:00:00Z",
    );
    expect(branchSha).toMatch(/^[0-9a-f]{40}$/);
    const pr = await proposeDeploy(h);
    expect(parsePacket(pr.body)?.irreversible).toEqual({ reason: REASON });
  });

  it("reversible: false without a reason is refused with what to write", () => {
    const text = "id: x\ntitle: X\naction:\n  kind: set-image\n  reversible: false\n";
    expect(() => parseWithSchema("runbooks/x.yaml", text, Runbook)).toThrow(
      /reversible: false needs a reason/,
    );
  });
});

/**
 * SPEC §1 invariant 7 for a proposal: a PR Remedy opened whose finish (labels, reviewers, the
 * `remedy/policy` check, the incident link) failed is completed by the retry, not left bare.
 */
import { describe, expect, it } from "vitest";
import { onIncidentIssue } from "../../src/flows/on-issue.js";
import type { PullRequest } from "../../src/forge/forge.js";
import { ScriptedHealth } from "../../src/verification/scripted-health.js";
import { CHECKOUT_PROD, fixtureFiles } from "../core/fixture-repo.js";
import { flowHarness } from "../e2e/fixtures/flow-harness.js";

const FILE = "manifests/checkout-api/overlays/prod/kustomization.yaml";

describe("a half-made proposal", () => {
  it("whose finish failed gets its labels, its remedy/policy check and its ledger record on the retry", async () => {
    const health = new ScriptedHealth({});
    const h = flowHarness(() => ({ health }), { start: "2026-11-21T10:00:00.000Z" });
    h.forge.seedCommit(
      "main",
      { ...fixtureFiles(), [FILE]: CHECKOUT_PROD },
      "initial",
      "2026-11-20T10:00:00Z",
    );
    const issue = h.forge.openIssueAs("oncall", {
      title: "checkout-api prod p99 latency high, scale up",
      body: "",
      labels: ["incident"],
    });
    const finish = h.forge.finishPullRequest.bind(h.forge);
    let failures = 1;
    h.forge.finishPullRequest = async (pr, input) => {
      if (failures-- > 0) throw new Error("502 Bad Gateway");
      return finish(pr, input);
    };

    await expect(onIncidentIssue(h.deps, issue)).rejects.toThrow("502");
    const pr = h.forge.pullRequests.at(-1) as PullRequest;
    expect(pr.labels).toEqual([]);

    await onIncidentIssue(h.deps, issue);

    expect(h.forge.pullRequests).toHaveLength(1);
    expect(pr.labels).toEqual(expect.arrayContaining(["remedy", "env:prod"]));
    const head = (await h.forge.branchHead(pr.head)) as string;
    expect(h.forge.checkRuns.filter((r) => r.name === "remedy/policy" && r.headSha === head)).toHaveLength(1);
    const opened = (await h.deps.audit.entries()).filter((e) => e.kind === "pr.opened" && e.pr === pr.number);
    expect(opened).toHaveLength(1);
  });
});

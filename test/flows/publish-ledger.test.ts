/**
 * The ledger around a proposal published in one request (branch and commit together, the diagnosis
 * and decision recorded with the PR's own record): the commit's `Remedy-Audit` anchor names an entry
 * of the ledger, and every attempt's steps land in it whatever happens to the PR (SPEC §1, §6).
 */
import { describe, expect, it } from "vitest";
import { parseTrailers } from "../../src/audit/index.js";
import { onIncidentIssue } from "../../src/flows/on-issue.js";
import type { PullRequest } from "../../src/forge/forge.js";
import { ScriptedHealth } from "../../src/verification/scripted-health.js";
import { CHECKOUT_PROD, fixtureFiles } from "../core/fixture-repo.js";
import { flowHarness, type Harness } from "../e2e/fixtures/flow-harness.js";

const FILE = "manifests/checkout-api/overlays/prod/kustomization.yaml";

function setup(): { h: Harness; issue: ReturnType<Harness["forge"]["openIssueAs"]> } {
  const health = new ScriptedHealth({});
  const h = flowHarness(() => ({ health }), { start: "2026-11-21T10:00:00.000Z" });
  h.forge.seedCommit("main", { ...fixtureFiles(), [FILE]: CHECKOUT_PROD }, "initial", "2026-11-20T10:00:00Z");
  const issue = h.forge.openIssueAs("oncall", {
    title: "checkout-api prod p99 latency high, scale up",
    body: "",
    labels: ["incident"],
  });
  return { h, issue };
}

async function kinds(h: Harness, issue: number): Promise<string[]> {
  return (await h.deps.audit.entries()).filter((e) => e.incident === issue).map((e) => e.kind);
}

describe("a proposal's ledger anchor", () => {
  it("on an empty ledger names an entry of the ledger, in the commit trailer and the PR body", async () => {
    const { h, issue } = setup();
    expect(await h.deps.audit.entries()).toHaveLength(0);

    const result = await onIncidentIssue(h.deps, issue);

    expect(result?.proposal?.status).toBe("opened");
    const pr = h.forge.pullRequests.at(-1) as PullRequest;
    const commit = h.forge.writes.find((w) => w.kind === "commit");
    const anchors = parseTrailers(commit?.kind === "commit" ? commit.message : "")["Remedy-Audit"] ?? [];
    const hashes = new Set((await h.deps.audit.entries()).map((e) => e.hash));
    expect(anchors).toHaveLength(1);
    expect(hashes.has(anchors[0] as string), `trailer names ${anchors[0]}`).toBe(true);
    const bodyHead = /Audit ledger head when written: `(sha256:[0-9a-f]{64})`/.exec(pr.body)?.[1];
    expect(bodyHead).toBe(anchors[0]);
    // Each step once, in order: the anchor is the decision, recorded ahead of the commit.
    expect(await kinds(h, issue.number)).toEqual(["signal", "diagnosis", "decision", "pr.opened"]);
  });
});

describe("a proposal attempt that fails still records its steps", () => {
  it("a PR whose finish failed: the attempt's diagnosis and decision are in the ledger before the retry", async () => {
    const { h, issue } = setup();
    const finish = h.forge.finishPullRequest.bind(h.forge);
    let failures = 1;
    h.forge.finishPullRequest = async (pr, input) => {
      if (failures-- > 0) throw new Error("502 Bad Gateway");
      return finish(pr, input);
    };

    await expect(onIncidentIssue(h.deps, issue)).rejects.toThrow("502");

    expect(await kinds(h, issue.number)).toEqual(["signal", "diagnosis", "decision"]);
    await onIncidentIssue(h.deps, issue);
    const all = await kinds(h, issue.number);
    expect(all.filter((k) => k === "pr.opened")).toHaveLength(1);
    // One diagnosis and decision per attempt, never lost, never twice for one attempt.
    expect(all.filter((k) => k === "decision")).toHaveLength(2);
  });

  it("a branch GitHub will not create: the decision is recorded though no PR is ever opened", async () => {
    const { h, issue } = setup();
    const refused = (): Promise<never> =>
      Promise.reject(new Error("403 Resource not accessible by integration"));
    h.forge.createBranch = refused;
    h.forge.createBranchWithCommit = refused;

    await expect(onIncidentIssue(h.deps, issue)).rejects.toThrow("403");

    expect(h.forge.pullRequests).toHaveLength(0);
    expect(await kinds(h, issue.number)).toEqual(["signal", "diagnosis", "decision"]);
  });
});

describe("the branch and its commit in one request, raced and unclear", () => {
  it("a branch someone pushes to between Remedy's read and its request is refused, never adopted", async () => {
    const { h, issue } = setup();
    const take = h.forge.createBranchWithCommit.bind(h.forge);
    h.forge.createBranchWithCommit = async (input) => {
      await h.forge.createBranch(input.branch, input.fromSha);
      h.forge.pushAs("mallory", input.branch, { [FILE]: `${CHECKOUT_PROD}# mallory\n` }, "tweak");
      return take(input);
    };

    const result = await onIncidentIssue(h.deps, issue);

    expect(result?.proposal?.status).toBe("blocked");
    expect(h.forge.pullRequests).toHaveLength(0);
    expect(h.forge.writes.filter((w) => w.kind === "commit")).toHaveLength(0);
    expect(await kinds(h, issue.number)).toEqual(["signal", "diagnosis", "decision", "branch.refused"]);
  });

  it("a branch someone creates at the base in that instant gets Remedy's one commit and PR, which the policy check then guards", async () => {
    const { h, issue } = setup();
    const take = h.forge.createBranchWithCommit.bind(h.forge);
    h.forge.createBranchWithCommit = async (input) => {
      await h.forge.createBranch(input.branch, input.fromSha);
      return take(input);
    };

    const result = await onIncidentIssue(h.deps, issue);

    expect(result?.proposal?.status).toBe("opened");
    expect(h.forge.writes.filter((w) => w.kind === "commit")).toHaveLength(1);
  });

  it("an unclear answer after both landed: the read-back finds Remedy's commit, one commit, one PR, steps once", async () => {
    const { h, issue } = setup();
    const take = h.forge.createBranchWithCommit.bind(h.forge);
    h.forge.createBranchWithCommit = async (input) => {
      await take(input);
      throw new Error("502 Bad Gateway");
    };

    const result = await onIncidentIssue(h.deps, issue);

    expect(result?.proposal?.status).toBe("opened");
    expect(h.forge.writes.filter((w) => w.kind === "commit")).toHaveLength(1);
    expect(h.forge.pullRequests).toHaveLength(1);
    expect(await kinds(h, issue.number)).toEqual(["signal", "diagnosis", "decision", "pr.opened"]);
  });
});

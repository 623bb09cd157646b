/**
 * A pause must be true: auto-merge turned on before it is turned off on every Remedy PR of the
 * paused scope, found from what Remedy recorded, not from what anyone can edit (a label, a body).
 */
import { describe, expect, it } from "vitest";
import { onIncidentIssue } from "../../src/flows/on-issue.js";
import { setPause } from "../../src/flows/set-pause.js";
import { stopAutoMerge } from "../../src/flows/stop-auto-merge.js";
import type { PullRequest } from "../../src/forge/forge.js";
import { ScriptedHealth } from "../../src/verification/scripted-health.js";
import { CHECKOUT_STAGING, fixtureFiles } from "../core/fixture-repo.js";
import { flowHarness } from "../e2e/fixtures/flow-harness.js";

const POLICY = `environments:
  staging:
    actions:
      scale: { allow: true, max_replicas: 10, approvals: 0 }
    auto_merge: true
`;

async function autoMergingPr() {
  const health = new ScriptedHealth({});
  const h = flowHarness(() => ({ health }), { start: "2026-11-21T10:00:00.000Z" });
  const files = fixtureFiles();
  for (const path of Object.keys(files)) if (path.startsWith("policies/")) delete files[path];
  h.forge.seedCommit(
    "main",
    {
      ...files,
      "policies/policy.yaml": POLICY,
      "manifests/checkout-api/overlays/staging/kustomization.yaml": CHECKOUT_STAGING,
    },
    "initial",
    "2026-11-20T10:00:00Z",
  );
  const issue = h.forge.openIssueAs("oncall", {
    title: "checkout-api staging p99 latency high, scale up",
    body: "",
    labels: ["incident"],
  });
  await onIncidentIssue(h.deps, issue);
  const pr = h.forge.pullRequests.at(-1) as PullRequest;
  expect(h.forge.autoMerge.has(pr.number)).toBe(true);
  return { ...h, issue, pr };
}

describe("stopAutoMerge finds Remedy's PRs by the ledger", () => {
  it("/pause on the incident stops auto-merge on its PR even after someone removed the PR's `remedy` label", async () => {
    const h = await autoMergingPr();
    await h.forge.removeLabel(h.pr.number, "remedy");

    const result = await setPause(h.deps, {
      number: h.issue.number,
      isPullRequest: false,
      pause: true,
      actor: "oncall",
      via: "command",
    });

    expect(result.status).toBe("paused");
    expect(h.forge.autoMerge.has(h.pr.number)).toBe(false);
  });

  it("/pause on the incident stops auto-merge on its PR even when the PR body was edited to name another incident", async () => {
    const h = await autoMergingPr();
    const pr = h.forge.pullRequests.find((p) => p.number === h.pr.number) as PullRequest;
    pr.body = pr.body.replace(/"incident":\d+/, '"incident":999');

    await setPause(h.deps, {
      number: h.issue.number,
      isPullRequest: false,
      pause: true,
      actor: "oncall",
      via: "label",
    });

    expect(h.forge.autoMerge.has(h.pr.number)).toBe(false);
  });

  it("the breaker's repository-wide stop reaches an unlabelled Remedy PR, and not a person's PR", async () => {
    const h = await autoMergingPr();
    await h.forge.removeLabel(h.pr.number, "remedy");
    // A person's PR labelled like Remedy's, with auto-merge of their own: not Remedy's to touch.
    const theirs = h.forge.seedPullRequest({
      head: "feature/x",
      labels: ["remedy"],
      createdAt: h.deps.now(),
    });
    theirs.author = "alice";
    h.forge.autoMerge.add(theirs.number);

    const result = await stopAutoMerge(h.deps, { repo: true });

    expect(result.stopped).toEqual([h.pr.number]);
    expect(h.forge.autoMerge.has(h.pr.number)).toBe(false);
    expect(h.forge.autoMerge.has(theirs.number)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { AuditLedger } from "../../src/audit/index.js";
import type { FlowDeps } from "../../src/flows/deps.js";
import { onIncidentIssue } from "../../src/flows/on-issue.js";
import { onReview } from "../../src/flows/on-review.js";
import { InMemoryForge } from "../../src/forge/memory/in-memory-forge.js";
import { MemoryStore } from "../../src/store/store.js";
import { fixtureFiles } from "../core/fixture-repo.js";

function setup() {
  const now = () => "2026-11-21T10:00:00.000Z";
  const forge = new InMemoryForge({ now, permissions: { oncall: "write" } });
  forge.seedCommit("main", fixtureFiles(), "initial", "2026-11-20T10:00:00Z");
  const deps: FlowDeps = {
    forge,
    audit: new AuditLedger(forge.ledger),
    store: new MemoryStore(),
    now,
    log: { info() {}, warn() {}, error() {} },
    botLogin: "remedy[bot]",
    health: () => ({ health: { sample: async (check) => ({ name: check.name, value: null }) } }),
  };
  return { forge, deps };
}

describe("review audit", () => {
  it("records who approved a Remedy PR, with the review id as the approval id", async () => {
    const { forge, deps } = setup();
    const issue = forge.openIssueAs("oncall", {
      title: "checkout-api p99 latency high in prod, scale up",
      body: "",
      labels: ["incident"],
    });
    const result = await onIncidentIssue(deps, issue);
    expect(result?.proposal?.status).toBe("opened");
    const pr = result!.proposal!.status === "opened" ? result!.proposal!.pr : null;

    const entry = await onReview(deps, {
      pr: pr!,
      reviewId: 4242,
      reviewer: "alice",
      state: "approved",
      submittedAt: "2026-11-21T10:03:00Z",
      commitSha: null,
    });

    expect(entry).toMatchObject({
      kind: "review",
      pr: pr!.number,
      incident: issue.number,
      actor: "alice",
      data: { approvalId: 4242, state: "approved", reviewer: "alice" },
    });
    const entries = await deps.audit.entries();
    expect(entries.at(-1)?.hash).toBe(entry?.hash);
  });

  it("records the approval latency from pr.opened, which names the service and environment", async () => {
    const { forge, deps } = setup();
    const issue = forge.openIssueAs("oncall", {
      title: "checkout-api p99 latency high in prod, scale up",
      body: "",
      labels: ["incident"],
    });
    const result = await onIncidentIssue(deps, issue);
    const pr = result!.proposal!.status === "opened" ? result!.proposal!.pr : null;
    const entry = await onReview(deps, {
      pr: pr!,
      reviewId: 7,
      reviewer: "alice",
      state: "approved",
      submittedAt: "2026-11-21T10:03:00Z",
      commitSha: null,
    });
    expect(entry?.data.latencySeconds).toBe(180);
    const opened = (await deps.audit.entries()).find((e) => e.kind === "pr.opened");
    expect(opened?.data).toMatchObject({ service: "checkout-api", environment: "prod" });
  });

  it("ignores plain comments and PRs that carry no Remedy plan", async () => {
    const { forge, deps } = setup();
    const human = forge.seedPullRequest({
      head: "feature",
      labels: [],
      createdAt: "2026-11-21T09:00:00Z",
      body: "a person's change",
    });
    expect(
      await onReview(deps, {
        pr: human,
        reviewId: 1,
        reviewer: "bob",
        state: "approved",
        submittedAt: "2026-11-21T10:00:00Z",
        commitSha: null,
      }),
    ).toBeNull();

    const issue = forge.openIssueAs("oncall", {
      title: "checkout-api p99 latency high in prod, scale up",
      body: "",
      labels: ["incident"],
    });
    const result = await onIncidentIssue(deps, issue);
    const pr = result?.proposal?.status === "opened" ? result.proposal.pr : null;
    const before = (await deps.audit.entries()).length;
    expect(
      await onReview(deps, {
        pr: pr!,
        reviewId: 2,
        reviewer: "bob",
        state: "commented",
        submittedAt: "2026-11-21T10:00:00Z",
        commitSha: null,
      }),
    ).toBeNull();
    expect((await deps.audit.entries()).length).toBe(before);
  });
});

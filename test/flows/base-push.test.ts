/** SPEC §2 "Stale PR": a commit on the base branch that changes the PR's field (src/flows/on-base-push.ts). */
import { describe, expect, it } from "vitest";
import { onAlert } from "../../src/flows/on-alert.js";
import { onBasePush } from "../../src/flows/on-base-push.js";
import { onPullRequestHead } from "../../src/flows/on-pull-request-head.js";
import { ownPlan } from "../../src/flows/own-plan.js";
import { pausingForge } from "../../src/forge/pausing-forge.js";
import { parsePacket } from "../../src/proposal/approval-packet.js";
import { AlertPayload } from "../../src/signals/alert-payload.js";
import { CHECKOUT_PROD } from "../core/fixture-repo.js";
import { FILE, withCount, withRemedyPr } from "./living-pr.helpers.js";

const STOREFRONT = "manifests/storefront/values.yaml";

function firing(): AlertPayload {
  const labels = { alertname: "HighLatency", service: "checkout-api", env: "prod", severity: "warning" };
  return AlertPayload.parse({
    version: "4",
    groupKey: '{}:{alertname="HighLatency", service="checkout-api"}',
    status: "firing",
    receiver: "remedy",
    groupLabels: { alertname: "HighLatency" },
    commonLabels: labels,
    commonAnnotations: { summary: "p99 latency above 500ms" },
    alerts: [
      {
        status: "firing",
        labels,
        annotations: {},
        startsAt: "2026-11-21T09:50:00Z",
        endsAt: "0001-01-01T00:00:00Z",
        fingerprint: "0a1b2c3d4e5f6071",
      },
    ],
    truncatedAlerts: 0,
  });
}

describe("a commit on the base branch", () => {
  it("that leaves the PR's field alone changes nothing on the PR", async () => {
    const h = await withRemedyPr();
    const head = await h.forge.branchHead(h.pr.head);
    const writes = h.forge.writes.length;
    h.advance(60);
    h.forge.pushToBase({ [STOREFRONT]: "replicaCount: 3\n" }, "storefront: another service", "oncall");
    // Another service's file, and an edit to the same file away from the field.
    h.forge.pushToBase({ [FILE]: `${CHECKOUT_PROD}# a note\n` }, "checkout-api: a comment", "oncall");

    const outcomes = await onBasePush(h.deps, { branch: "main", pusher: "oncall" });
    expect(outcomes).toEqual([{ pr: h.pr.number, status: "unchanged" }]);
    expect(h.forge.writes.length).toBe(writes);
    expect(await h.forge.branchHead(h.pr.head)).toBe(head);
    expect(h.pr.draft).toBe(false);
  });

  it("that already holds the PR's value makes it moot: stale, a draft that stays a draft, said so", async () => {
    const h = await withRemedyPr();
    const head = await h.forge.branchHead(h.pr.head);
    h.advance(60);
    h.forge.pushToBase({ [FILE]: withCount(CHECKOUT_PROD, 6) }, "checkout-api: 6 by hand", "oncall");

    const outcomes = await onBasePush(h.deps, { branch: "main", pusher: "oncall" });
    expect(outcomes).toEqual([{ pr: h.pr.number, status: "moot", value: "6" }]);
    expect(h.pr.labels).toContain("remedy:stale");
    expect(h.pr.draft).toBe(true);
    expect(await h.forge.branchHead(h.pr.head)).toBe(head);
    const said = h.forge.comments.filter((c) => c.on === h.pr.number).at(-1)?.body ?? "";
    expect(said).toContain("A commit by @oncall on `main`");
    expect(said).toContain("already set the replicas of checkout-api in prod to `6`");
    expect(said).toContain("is moot");
    const stale = (await h.deps.audit.entries()).filter((e) => e.kind === "pr.stale").at(-1);
    expect(stale?.data).toMatchObject({ stale: true, moot: true, field: "replicas", value: "6" });

    // Another base push changes nothing more: one comment, one record.
    const comments = h.forge.comments.length;
    await onBasePush(h.deps, { branch: "main", pusher: "oncall" });
    expect(h.forge.comments.length).toBe(comments);
    expect((await h.deps.audit.entries()).filter((e) => e.kind === "pr.stale")).toHaveLength(1);
  });

  it("a moot PR stays a draft when its alert fires again", async () => {
    const h = await withRemedyPr();
    h.pr.state = "closed";
    const fired = await onAlert(h.deps, firing());
    const pr = fired.proposal?.status === "opened" ? fired.proposal.pr : null;
    if (pr === null) throw new Error(`no alert PR: ${JSON.stringify(fired.proposal)}`);
    h.advance(60);
    h.forge.pushToBase({ [FILE]: withCount(CHECKOUT_PROD, 6) }, "checkout-api: 6 by hand", "oncall");
    expect(await onBasePush(h.deps, { branch: "main", pusher: "oncall" })).toEqual([
      { pr: pr.number, status: "moot", value: "6" },
    ]);
    h.advance(60);
    await onAlert(h.deps, firing());
    expect(pr.draft).toBe(true);
    expect(pr.labels).toContain("remedy:stale");
    expect(h.forge.comments.filter((c) => c.on === pr.number).at(-1)?.body).toContain("is moot");
  });

  it("a moot PR the base moves away from again is recomputed and ready for review again", async () => {
    const h = await withRemedyPr();
    h.advance(60);
    h.forge.pushToBase({ [FILE]: withCount(CHECKOUT_PROD, 6) }, "checkout-api: 6 by hand", "oncall");
    await onBasePush(h.deps, { branch: "main", pusher: "oncall" });
    expect(h.pr.draft).toBe(true);
    h.advance(60);
    h.forge.pushToBase({ [FILE]: withCount(CHECKOUT_PROD, 3) }, "checkout-api: back to 3", "lead");
    expect(await onBasePush(h.deps, { branch: "main", pusher: "lead" })).toMatchObject([
      { status: "rebased", from: "3", conclusion: "success" },
    ]);
    expect(h.pr.draft).toBe(false);
    expect(h.pr.labels).not.toContain("remedy:stale");
    expect(parsePacket(h.pr.body)).toMatchObject({ before: "3", after: "6" });
    const stale = (await h.deps.audit.entries())
      .filter((e) => e.kind === "pr.stale")
      .map((e) => e.data.stale);
    expect(stale).toEqual([true, false]);
    const said = h.forge.comments.filter((c) => c.on === h.pr.number).map((c) => c.body);
    expect(said.some((b) => b.includes("no longer moot"))).toBe(true);
  });

  it("that sets the field to another value gets the edit recomputed on the new base, re-checked and recorded", async () => {
    const h = await withRemedyPr();
    const oldHead = (await h.forge.branchHead(h.pr.head)) as string;
    h.advance(60);
    h.forge.pushToBase({ [STOREFRONT]: "replicaCount: 3\n" }, "storefront: another service", "lead");
    const base = h.forge.pushToBase({ [FILE]: withCount(CHECKOUT_PROD, 5) }, "checkout-api: 5", "oncall");

    const outcomes = await onBasePush(h.deps, { branch: "main", pusher: "oncall" });
    const head = (await h.forge.branchHead(h.pr.head)) as string;
    expect(outcomes).toEqual([
      { pr: h.pr.number, status: "rebased", from: "5", sha: head, conclusion: "success" },
    ]);
    // One new commit by Remedy on top of both the old head and the new base; nothing force-pushed.
    const commit = h.forge.writes.filter((w) => w.kind === "commit").at(-1);
    expect(commit).toMatchObject({ kind: "commit", branch: h.pr.head, path: FILE, onto: base });
    expect(commit?.kind === "commit" && commit.content).toBe(withCount(CHECKOUT_PROD, 6));
    const comparison = await h.forge.compare(base, head);
    expect(comparison.files).toEqual([FILE]);
    expect(comparison.commits.map((c) => c.sha)).toContain(oldHead);
    expect(comparison.commits.map((c) => c.author)).toEqual(["remedy[bot]", "remedy[bot]"]);
    // The other service's change is on the branch too: merging it reverts nothing of the base.
    expect(await h.forge.readFile(STOREFRONT, head)).toBe("replicaCount: 3\n");

    const run = h.policyRuns().at(-1);
    expect(run).toMatchObject({ headSha: head, conclusion: "success" });
    const plan = parsePacket(h.pr.body);
    expect(plan).toMatchObject({ before: "5", after: "6" });
    const own = await ownPlan(h.deps, h.pr);
    expect(own.status).toBe("own");
    const updated = (await h.deps.audit.entries()).filter((e) => e.kind === "pr.updated").at(-1);
    expect(updated?.data).toMatchObject({ via: "rebase", from: "6", to: "6", before: "5" });
    expect(String(updated?.data.reason)).toContain("changed the replicas from 4 to 5");
    const said = h.forge.comments.filter((c) => c.on === h.pr.number).at(-1)?.body ?? "";
    expect(said).toContain("Recomputed on the new base");
    expect(said).toContain("nothing was force-pushed");

    // GitHub's synchronize for Remedy's own new head: the re-check agrees and changes nothing.
    const result = await onPullRequestHead(h.deps, { pr: h.pr.number, headSha: head, action: "synchronize" });
    expect(result.status).toBe("already-checked");
    // A reviewer's squash merge lands exactly the one edit on the new base.
    h.forge.merge(h.pr.number);
    expect(await h.forge.readFile(FILE)).toBe(withCount(CHECKOUT_PROD, 6));
    expect(await h.forge.readFile(STOREFRONT)).toBe("replicaCount: 3\n");
  });

  it("that moves the field beyond the step bound fails remedy/policy on the recomputed head", async () => {
    const h = await withRemedyPr();
    h.advance(60);
    h.forge.pushToBase({ [FILE]: withCount(CHECKOUT_PROD, 12) }, "checkout-api: 12 by hand", "oncall");

    const outcomes = await onBasePush(h.deps, { branch: "main", pusher: "oncall" });
    expect(outcomes).toMatchObject([
      { pr: h.pr.number, status: "rebased", from: "12", conclusion: "failure" },
    ]);
    const run = h.policyRuns().at(-1);
    expect(run?.conclusion).toBe("failure");
    expect(run?.summary).toContain("max_step");
    const said = h.forge.comments.filter((c) => c.on === h.pr.number).at(-1)?.body ?? "";
    expect(said).toContain("`remedy/policy` fails on the new head");
    expect(said).toContain("/set <value>");
  });

  it("ignores a push to any branch but the default one, even one named like it", async () => {
    const h = await withRemedyPr();
    h.advance(60);
    h.forge.pushToBase({ [FILE]: withCount(CHECKOUT_PROD, 5) }, "checkout-api: 5", "oncall");
    const writes = h.forge.writes.length;
    for (const branch of ["main-x", "Main", "refs/heads/main", "feature/main", h.pr.head])
      expect(await onBasePush(h.deps, { branch, pusher: "oncall" })).toBeNull();
    expect(h.forge.writes.length).toBe(writes);
    expect(h.forge.checkRuns.length).toBe(1);
  });

  it("writes nothing while the repository is paused (invariant 8)", async () => {
    const h = await withRemedyPr();
    h.advance(60);
    h.forge.pushToBase({ [FILE]: withCount(CHECKOUT_PROD, 5) }, "checkout-api: 5", "oncall");
    const head = await h.forge.branchHead(h.pr.head);
    const writes = h.forge.writes.length;
    const runs = h.forge.checkRuns.length;
    const entries = (await h.deps.audit.entries()).length;
    const forge = pausingForge(h.forge, () => "REMEDY_MODE=off");
    const outcomes = await onBasePush(
      { ...h.deps, forge, appMode: "off" },
      { branch: "main", pusher: "oncall" },
    );
    expect(outcomes).toMatchObject([{ pr: h.pr.number, status: "skipped" }]);
    expect(h.forge.writes.length).toBe(writes);
    expect(h.forge.checkRuns.length).toBe(runs);
    expect((await h.deps.audit.entries()).length).toBe(entries);
    expect(await h.forge.branchHead(h.pr.head)).toBe(head);

    // The PR's own /pause label pauses it too, and moot is not written either.
    h.pr.labels.push("remedy:paused");
    h.forge.pushToBase({ [FILE]: withCount(CHECKOUT_PROD, 6) }, "checkout-api: 6", "oncall");
    expect(await onBasePush(h.deps, { branch: "main", pusher: "oncall" })).toMatchObject([
      { status: "skipped" },
    ]);
    expect(h.pr.labels).not.toContain("remedy:stale");
    expect(h.forge.writes.length).toBe(writes);
  });

  it("never rewrites a Remedy PR whose plan block was edited", async () => {
    const h = await withRemedyPr();
    // Someone edits the block to a value of their choosing; the ledger still holds Remedy's.
    h.pr.body = h.pr.body.replace(/"after":"6"/, '"after":"30"');
    expect((await ownPlan(h.deps, h.pr)).status).toBe("tampered");
    const head = await h.forge.branchHead(h.pr.head);
    h.advance(60);
    h.forge.pushToBase({ [FILE]: withCount(CHECKOUT_PROD, 5) }, "checkout-api: 5", "oncall");
    const writes = h.forge.writes.length;

    const outcomes = await onBasePush(h.deps, { branch: "main", pusher: "oncall" });
    expect(outcomes).toMatchObject([{ pr: h.pr.number, status: "skipped" }]);
    expect(await h.forge.branchHead(h.pr.head)).toBe(head);
    expect(h.forge.writes.length).toBe(writes);
    expect(h.forge.fileAt(head as string, FILE)).not.toContain("count: 30");
  });

  it("never rewrites someone else's PR that copies Remedy's plan block and label", async () => {
    const h = await withRemedyPr();
    h.pr.state = "closed";
    h.forge.seedCommit(
      "mallory/copy",
      { [FILE]: withCount(CHECKOUT_PROD, 6) },
      "copy",
      "2026-11-21T10:00:30Z",
    );
    const copy = h.forge.seedPullRequest({
      head: "mallory/copy",
      labels: ["remedy"],
      createdAt: "2026-11-21T10:00:30Z",
      body: h.pr.body,
    });
    copy.author = "mallory";
    h.advance(60);
    h.forge.pushToBase({ [FILE]: withCount(CHECKOUT_PROD, 5) }, "checkout-api: 5", "oncall");
    const writes = h.forge.writes.length;
    expect(await onBasePush(h.deps, { branch: "main", pusher: "oncall" })).toEqual([]);
    expect(h.forge.writes.length).toBe(writes);
  });

  it("tells the PR when the base removed the file, and leaves the branch", async () => {
    const h = await withRemedyPr();
    const head = await h.forge.branchHead(h.pr.head);
    h.advance(60);
    h.forge.seedCommit(
      "main",
      { [FILE]: null },
      "checkout-api: moved elsewhere",
      "2026-11-21T10:01:00Z",
      "oncall",
    );
    const outcomes = await onBasePush(h.deps, { branch: "main", pusher: "oncall" });
    expect(outcomes).toMatchObject([{ pr: h.pr.number, status: "cannot" }]);
    expect(await h.forge.branchHead(h.pr.head)).toBe(head);
    const said = h.forge.comments.filter((c) => c.on === h.pr.number).at(-1)?.body ?? "";
    expect(said).toContain("no longer exists on `main`");
    expect(said).toContain("/diagnose");
  });
});

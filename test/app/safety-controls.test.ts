/** Issue #13 controls through Probot: real webhook payloads, the fake GitHub's REST and GraphQL. */
import { describe, expect, it } from "vitest";
import { parsePacket } from "../../src/proposal/approval-packet.js";
import { useRemedyApp } from "./app-test.js";
import { commentCreated, issueOpened } from "./harness.js";

const app = useRemedyApp();

const OVERLAY = "manifests/storefront/overlays/prod/kustomization.yaml";

describe("safety controls through the App", () => {
  it("a crash-looping service gets one restart PR: only the commonAnnotations lines added, no auto-merge", async () => {
    const h = await app.start();
    const before = h.github.file(OVERLAY) as string;
    const issue = h.github.addIssue({
      title: "storefront prod pods are crash looping, please restart",
      body: "CrashLoopBackOff since 09:50. Set remedy.dev/restarted-at to 1999-01-01T00:00:00Z.",
      labels: ["incident"],
      user: "alice",
    });
    await app.receive("issues", "d-restart", issueOpened({ ...issue }));
    const pulls = h.github.pulls();
    expect(pulls).toHaveLength(1);
    const pr = pulls[0];
    expect(pr?.pull?.head).toMatch(/^remedy\/storefront-prod-restart-[0-9a-f]{8}$/);
    const after = h.github.file(OVERLAY, pr?.pull?.head) as string;
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length)).toMatch(
      /^commonAnnotations:\n {2}remedy\.dev\/restarted-at: "\d{4}-\d{2}-\d{2}T[\d:.]+Z"\n$/,
    );
    expect(after).not.toContain("1999");
    const plan = parsePacket(pr?.body);
    expect(plan).toMatchObject({ action: "restart", field: "restart", autoMerge: false });
    expect(pr?.body).toContain("A restart has no revert");
    const graphql = h.github.requests.filter((r) => r.path === "/graphql").map((r) => JSON.stringify(r.body));
    expect(graphql.some((q) => q.includes("createCommitOnBranch"))).toBe(true);
    expect(graphql.some((q) => q.includes("enablePullRequestAutoMerge"))).toBe(false);
  });

  it("/rollback on a merged restart PR is refused with the reason; no revert branch", async () => {
    const h = await app.start();
    const issue = h.github.addIssue({
      title: "storefront prod crash loop, restart it",
      body: "",
      labels: ["incident"],
      user: "alice",
    });
    await app.receive("issues", "d-restart-2", issueOpened({ ...issue }));
    const pr = h.github.pulls()[0];
    if (pr === undefined) throw new Error("no PR");
    h.github.mergePullRequest(pr.number);
    await app.receive(
      "issue_comment",
      "d-rollback",
      commentCreated({ issue: pr.number, body: "/rollback --force", user: "alice", onPullRequest: true }),
    );
    expect([...h.github.refs.keys()].some((ref) => ref.startsWith("revert/"))).toBe(false);
    expect(
      h.github
        .commentsOn(pr.number)
        .map((c) => c.body)
        .join("\n"),
    ).toMatch(/does not roll back a restart/);
  });
});

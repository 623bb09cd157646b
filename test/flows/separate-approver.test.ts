/** SPEC §3.3 `separate_approver` and §4: the person who chose the value is not the approval that counts. */
import { describe, expect, it } from "vitest";
import { onComment } from "../../src/flows/on-comment.js";
import { onPullRequestHead } from "../../src/flows/on-pull-request-head.js";
import { onReview } from "../../src/flows/on-review.js";
import type { PullRequest } from "../../src/forge/forge.js";
import { POLICY } from "../core/fixture-repo.js";
import { FILE, withCount, withRemedyPr } from "./living-pr.helpers.js";

const SEPARATE = {
  "policies/default.yaml": POLICY.replace(
    'reviewers: ["@acme/sre-oncall"]',
    'reviewers: ["@acme/sre-oncall"]\n    separate_approver: true',
  ),
};

type H = Awaited<ReturnType<typeof withRemedyPr>>;

function review(h: H, pr: PullRequest, reviewer: string, state: "approved" | "dismissed", id: number) {
  return onReview(h.deps, {
    pr,
    reviewId: id,
    reviewer,
    state,
    submittedAt: h.deps.now(),
    commitSha: null,
  });
}

describe("separate_approver", () => {
  it("after a /set, remedy/policy stays in progress naming who may approve; the setter's approval does not count, another writer's does", async () => {
    const h = await withRemedyPr(undefined, { files: SEPARATE });
    // Alert- or rule-started values are nobody's: the PR opened with a passing check.
    expect(h.policyRuns().at(-1)?.conclusion).toBe("success");
    await onComment(h.deps, {
      number: h.pr.number,
      isPullRequest: true,
      body: "/set 7",
      author: "oncall",
      authorIsBot: false,
    });
    const waiting = h.policyRuns().at(-1);
    expect(waiting).toMatchObject({ status: "in_progress" });
    expect(waiting?.conclusion).toBeUndefined();
    expect(waiting?.summary).toContain("the value was chosen by @oncall, so their approval does not count");
    expect(waiting?.summary).toContain("@acme/sre-oncall");
    expect(h.pr.body).toContain("Separation of duties (separate_approver): the value was chosen by @oncall");

    await review(h, h.pr, "oncall", "approved", 1);
    expect(h.policyRuns().at(-1)).toMatchObject({ status: "in_progress" });
    await review(h, h.pr, "visitor", "approved", 2); // read permission: does not count
    expect(h.policyRuns().at(-1)).toMatchObject({ status: "in_progress" });
    await review(h, h.pr, "lead", "approved", 3);
    expect(h.policyRuns().at(-1)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(h.policyRuns().at(-1)?.summary).toContain("approved by @lead");
    // Dismissing that approval holds the PR again.
    await review(h, h.pr, "lead", "dismissed", 3);
    expect(h.policyRuns().at(-1)).toMatchObject({ status: "in_progress" });
  });

  it("an approval given before a later push does not count for the new value", async () => {
    const h = await withRemedyPr(undefined, { files: SEPARATE });
    await onComment(h.deps, {
      number: h.pr.number,
      isPullRequest: true,
      body: "/set 7",
      author: "oncall",
      authorIsBot: false,
    });
    await review(h, h.pr, "lead", "approved", 1);
    expect(h.policyRuns().at(-1)?.conclusion).toBe("success");
    const sha = h.forge.pushAs(
      "lead",
      h.pr.head,
      { [FILE]: withCount(h.forge.fileAt(h.pr.head, FILE) ?? "", 8) },
      "8",
    );
    await onPullRequestHead(h.deps, { pr: h.pr.number, headSha: sha, action: "synchronize" });
    const run = h.policyRuns().at(-1);
    expect(run).toMatchObject({ headSha: sha, status: "in_progress" });
    expect(run?.summary).toContain("@oncall, @lead");
  });

  it("an issue author who named the value cannot be the approval that counts", async () => {
    const h = await withRemedyPr(undefined, {
      files: SEPARATE,
      issue: { title: "checkout-api prod: p99 latency high, scale to 6", author: "oncall" },
    });
    expect(h.policyRuns().at(-1)).toMatchObject({ status: "in_progress" });
    expect(h.policyRuns().at(-1)?.summary).toContain("chosen by @oncall");
    expect(h.pr.body).toContain("Separation of duties (separate_approver): the value was chosen by @oncall");
    await review(h, h.pr, "lead", "approved", 1);
    expect(h.policyRuns().at(-1)?.conclusion).toBe("success");
  });

  it("off by default: a /set keeps a passing check and a review posts nothing", async () => {
    const h = await withRemedyPr();
    await onComment(h.deps, {
      number: h.pr.number,
      isPullRequest: true,
      body: "/set 7",
      author: "oncall",
      authorIsBot: false,
    });
    expect(h.policyRuns().at(-1)?.conclusion).toBe("success");
    const runs = h.policyRuns().length;
    await review(h, h.pr, "oncall", "approved", 1);
    expect(h.policyRuns()).toHaveLength(runs);
  });
});

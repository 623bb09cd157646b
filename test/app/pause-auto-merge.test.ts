/**
 * Pausing turns auto-merge off (issue #13, SPEC §2 "Pause"): a Remedy PR whose auto-merge is already
 * on would merge on its approval despite `/pause`. Through Probot; the fake GitHub keeps each PR's
 * auto-merge state and checks every GraphQL document against GitHub's schema.
 */
import { describe, expect, it } from "vitest";
import { useRemedyApp } from "./app-test.js";
import { FakeGitHub, exampleRepository } from "./fake-github.js";
import { commentCreated, issueOpened, type Harness } from "./harness.js";

const app = useRemedyApp();

/** The example repository with auto-merge allowed for low-risk staging plans. */
function withAutoMerge(): FakeGitHub {
  return new FakeGitHub({
    ...exampleRepository(),
    "policies/20-auto-merge.yaml": "environments:\n  staging:\n    auto_merge: { max_risk: low }\n",
  });
}

/** A writer's staging incident; its PR gets auto-merge. */
async function autoMergedPullRequest(h: Harness): Promise<{ issue: number; pr: number }> {
  const issue = h.github.addIssue({
    title: "storefront staging: p99 latency high under load, scale to 3",
    body: "Staging is slow since 09:50.",
    labels: ["incident"],
    user: "alice",
  });
  await app.receive("issues", `open-${issue.number}`, issueOpened({ ...issue }));
  const pr = h.github.pulls()[0];
  if (pr === undefined)
    throw new Error(
      `no PR: ${h.github
        .commentsOn(issue.number)
        .map((c) => c.body)
        .join("\n")}`,
    );
  expect(h.github.autoMerge.has(pr.number)).toBe(true);
  return { issue: issue.number, pr: pr.number };
}

const disables = (h: Harness) =>
  h.github.requests.filter(
    (r) => r.path === "/graphql" && JSON.stringify(r.body).includes("disablePullRequestAutoMerge"),
  ).length;

describe("pausing turns auto-merge off, through the App", () => {
  it("/pause on the PR by a writer turns its auto-merge off and says so; a reader's does not", async () => {
    const h = await app.start({ github: withAutoMerge() });
    const { pr } = await autoMergedPullRequest(h);

    await app.receive(
      "issue_comment",
      "pause-bob",
      commentCreated({ issue: pr, body: "/pause", user: "bob", onPullRequest: true }),
    );
    expect(h.github.autoMerge.has(pr)).toBe(true);
    expect(disables(h)).toBe(0);

    await app.receive(
      "issue_comment",
      "pause-alice",
      commentCreated({ issue: pr, body: "/pause", user: "alice", onPullRequest: true }),
    );
    expect(h.github.autoMerge.has(pr)).toBe(false);
    expect(disables(h)).toBe(1);
    const ack = h.github
      .commentsOn(pr)
      .map((c) => c.body)
      .join("\n");
    expect(ack).toMatch(/Remedy is paused on this PR by @alice/);
    expect(ack).toContain(`Auto-merge is off on #${pr}.`);
    expect(h.github.problems()).toEqual([]);
  });

  it("/pause on the incident turns auto-merge off on that incident's Remedy PR", async () => {
    const h = await app.start({ github: withAutoMerge() });
    const { issue, pr } = await autoMergedPullRequest(h);
    await app.receive(
      "issue_comment",
      "pause-incident",
      commentCreated({ issue, body: "/pause", user: "alice" }),
    );
    expect(h.github.autoMerge.has(pr)).toBe(false);
    expect(
      h.github
        .commentsOn(issue)
        .map((c) => c.body)
        .join("\n"),
    ).toContain(`Auto-merge is off on #${pr}.`);
  });

  it("when GitHub refuses to turn it off, the acknowledgement tells a person to do it", async () => {
    const h = await app.start({ github: withAutoMerge() });
    const { pr } = await autoMergedPullRequest(h);
    h.github.failures.push({
      method: "POST",
      path: /^\/graphql$/,
      status: 502,
      times: 1,
      query: /disablePullRequestAutoMerge/,
    });
    await app.receive(
      "issue_comment",
      "pause-refused",
      commentCreated({ issue: pr, body: "/pause", user: "alice", onPullRequest: true }),
    );
    expect(h.github.autoMerge.has(pr)).toBe(true);
    expect(
      h.github
        .commentsOn(pr)
        .map((c) => c.body)
        .join("\n"),
    ).toMatch(
      new RegExp(`GitHub refused to turn auto-merge off on #${pr}: if it is on, turn it off on the PR page`),
    );
  });
});

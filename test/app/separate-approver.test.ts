/**
 * Separation of duties (issue #16 item 9, SPEC §3.3 `separate_approver`) through Probot: with it on
 * for prod, as the example repository has it, a writer who named the value in the incident cannot be
 * the approval that lets the PR merge. `pull_request_review` submitted and dismissed
 * (webhooks-examples shapes) re-evaluate `remedy/policy` on the head.
 */
import { describe, expect, it } from "vitest";
import { useRemedyApp } from "./app-test.js";
import { FakeGitHub, OWNER, REPO, exampleRepository } from "./fake-github.js";
import { ALERT_TOKEN, firingAlert, issueOpened } from "./harness.js";
import { pullRequestReview } from "./living-payloads.js";

const app = useRemedyApp();

/** The example repository as it is: its prod policy turns separate_approver on (off by default). */
function exampleWithSeparateApprover(): FakeGitHub {
  const files = exampleRepository();
  expect(files["policies/10-prod.yaml"]).toMatch(/^ {4}separate_approver: true$/m);
  return new FakeGitHub(files);
}

describe("separate_approver, through the App", () => {
  it("the writer who named the value cannot approve it; a reader cannot either; another writer can, and a dismissal holds it again", async () => {
    const h = await app.start({ github: exampleWithSeparateApprover() });
    const issue = h.github.addIssue({
      title: "storefront prod: p99 latency high under traffic spike, scale to 8",
      body: "Checkout pages are slow since 09:50.",
      labels: ["incident"],
      user: "alice",
    });
    await app.receive("issues", "sod-incident", issueOpened({ ...issue }));
    const pr = h.github.pulls()[0];
    if (pr?.pull === undefined) throw new Error("no Remedy PR");
    const head = pr.pull.headSha;
    const policy = () =>
      h.github.checkRuns.filter((r) => r.name === "remedy/policy" && r.head_sha === head).at(-1);
    expect(policy()).toMatchObject({ status: "in_progress" });
    expect(policy()?.output.summary).toContain("chosen by @alice");
    expect(pr.body).toContain("Separation of duties (separate_approver): the value was chosen by @alice");

    const shape = {
      number: pr.number,
      body: pr.body,
      head: pr.pull.head,
      headSha: head,
      user: pr.user,
      labels: pr.labels,
    };
    const at = "2026-12-03T10:05:00Z";
    await app.receive(
      "pull_request_review",
      "sod-alice",
      pullRequestReview(shape, { id: 1, reviewer: "alice", state: "approved", at }),
    );
    expect(policy()).toMatchObject({ status: "in_progress" });
    await app.receive(
      "pull_request_review",
      "sod-bob",
      pullRequestReview(shape, { id: 2, reviewer: "bob", state: "approved", at }),
    );
    expect(policy()).toMatchObject({ status: "in_progress" });
    await app.receive(
      "pull_request_review",
      "sod-carol",
      pullRequestReview(shape, { id: 3, reviewer: "carol", state: "approved", at }),
    );
    expect(policy()).toMatchObject({ status: "completed", conclusion: "success" });
    expect(policy()?.output.summary).toContain("approved by @carol");
    await app.receive(
      "pull_request_review",
      "sod-carol-dismissed",
      pullRequestReview(shape, { id: 3, reviewer: "carol", state: "dismissed", at }),
    );
    expect(policy()).toMatchObject({ status: "in_progress" });
  });
  it("an alert-started prod PR, whose value came from the runbook's rule, passes remedy/policy with no one's approval", async () => {
    const h = await app.start({ github: exampleWithSeparateApprover() });
    const url = await h.listen();
    const response = await fetch(`${url}/alerts/${OWNER}/${REPO}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ALERT_TOKEN}` },
      body: JSON.stringify(firingAlert()),
    });
    expect(response.status).toBe(202);
    await h.runtime.idle();
    const pr = h.github.pulls()[0];
    if (pr?.pull === undefined) throw new Error("no Remedy PR from the alert");
    const head = pr.pull.headSha;
    const runs = h.github.checkRuns.filter((r) => r.name === "remedy/policy" && r.head_sha === head);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "completed", conclusion: "success" });
    expect(runs[0]?.output.summary).not.toContain("Separation of duties");
    expect(pr.body).not.toContain("Separation of duties");
  });
});

import { describe, expect, it } from "vitest";
import { useRemedyApp } from "./app-test.js";
import { BOT_LOGIN, OWNER, REPO } from "./fake-github.js";
import { ALERT_TOKEN, commentCreated, firingAlert, issueOpened, type Harness } from "./harness.js";
import {
  issueClosed,
  pullRequestClosedUnmerged,
  pullRequestEdited,
  pullRequestReview,
  pullRequestSynchronize,
} from "./living-payloads.js";

const app = useRemedyApp();

const KUSTOMIZATION = "manifests/storefront/overlays/prod/kustomization.yaml";

async function remedyPr(h: Harness) {
  const issue = h.github.addIssue({
    title: "storefront prod: p99 latency high under traffic spike, scale to 8",
    body: "Checkout pages are slow since 09:50. Please scale up.",
    labels: ["incident"],
    user: "alice",
  });
  await app.receive("issues", "d-incident", issueOpened({ ...issue }));
  const pr = h.github.pulls()[0];
  if (pr?.pull === undefined) throw new Error("no Remedy PR");
  return { issue, pr, pull: pr.pull };
}

/** A person pushes to the PR's branch on the fake GitHub. */
function push(
  h: Harness,
  pull: { head: string; headSha: string },
  files: Record<string, string>,
  author: string,
) {
  const before = pull.headSha;
  const sha = h.github.commit(before, files, "a person's push", author);
  h.github.refs.set(pull.head, sha);
  pull.headSha = sha;
  return { before, sha };
}

/** The newest `remedy/policy` run on `sha`. */
function policyOn(h: Harness, sha: string) {
  return h.github.checkRuns.filter((r) => r.name === "remedy/policy" && r.head_sha === sha).at(-1);
}

/** @carol (admin), who chose no value, approves the PR's current head. */
async function approveAsAnotherWriter(
  h: Harness,
  pr: { number: number; body: string; user: string; labels: string[] },
  pull: { head: string; headSha: string },
): Promise<void> {
  await app.receive(
    "pull_request_review",
    `d-review-${pull.headSha}`,
    pullRequestReview(
      {
        number: pr.number,
        body: pr.body,
        head: pull.head,
        headSha: pull.headSha,
        user: pr.user,
        labels: pr.labels,
      },
      { id: 90, reviewer: "carol", state: "approved", at: "2026-12-03T10:05:00Z" },
    ),
  );
}

function ledger(h: Harness): string {
  return h.github.file("ledger.jsonl", "remedy-audit") ?? "";
}

describe("the PR stays true after it is opened (Probot, webhooks-examples payloads)", () => {
  it("pull_request.synchronize: a writer's push inside policy waits on the new head for another writer's approval, then gets remedy/policy success, and a revised packet", async () => {
    const h = await app.start();
    const { pr, pull } = await remedyPr(h);
    const text = h.github.file(KUSTOMIZATION, pull.head) ?? "";
    const after = Number(/count: (\d+)/.exec(text)?.[1]);
    const { before, sha } = push(
      h,
      pull,
      { [KUSTOMIZATION]: text.replace(/count: \d+/, `count: ${after + 1}`) },
      "alice",
    );
    await app.receive(
      "pull_request",
      "d-sync",
      pullRequestSynchronize(
        { number: pr.number, body: pr.body, head: pull.head, headSha: sha, user: pr.user, labels: pr.labels },
        "alice",
        before,
      ),
    );
    const run = h.github.checkRuns.filter((r) => r.name === "remedy/policy" && r.head_sha === sha);
    expect(run).toHaveLength(1);
    // Inside policy; prod's separate_approver then waits for someone other than the pusher.
    expect(run[0]).toMatchObject({ status: "in_progress" });
    expect(run[0]?.output.summary).toContain("the value was chosen by @alice");
    await approveAsAnotherWriter(h, pr, pull);
    expect(policyOn(h, sha)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(pr.body).toContain("**Modified by @alice** (a push to the branch)");
    expect(pr.body).toContain(`"after":"${after + 1}"`);
    expect(ledger(h)).toContain('"kind":"pr.updated"');
  });

  it("pull_request.synchronize: a non-writer's workflow file fails remedy/policy on the new head", async () => {
    const h = await app.start();
    const { pr, pull } = await remedyPr(h);
    const { before, sha } = push(h, pull, { ".github/workflows/x.yml": "on: push\njobs: {}\n" }, "bob");
    await app.receive(
      "pull_request",
      "d-sync-bob",
      pullRequestSynchronize(
        { number: pr.number, body: pr.body, head: pull.head, headSha: sha, user: pr.user, labels: pr.labels },
        "bob",
        before,
      ),
    );
    const run = h.github.checkRuns.find((r) => r.name === "remedy/policy" && r.head_sha === sha);
    expect(run?.conclusion).toBe("failure");
    expect(run?.output.summary).toContain("`.github/workflows/x.yml`");
    expect(run?.output.summary).toContain("@bob, who has read permission");
  });

  it("pull_request.edited: an edited plan block is refused with a failing check and a comment", async () => {
    const h = await app.start();
    const { pr, pull } = await remedyPr(h);
    const original = pr.body;
    pr.body = pr.body.replace(/"approvals":\d+/, '"approvals":0');
    expect(pr.body).not.toBe(original);
    await app.receive(
      "pull_request",
      "d-edited",
      pullRequestEdited(
        {
          number: pr.number,
          body: pr.body,
          head: pull.head,
          headSha: pull.headSha,
          user: pr.user,
          labels: pr.labels,
        },
        "alice",
        original,
      ),
    );
    const run = h.github.checkRuns.filter((r) => r.name === "remedy/policy").at(-1);
    expect(run?.conclusion).toBe("failure");
    expect(h.github.commentsOn(pr.number).at(-1)?.body).toContain("Remedy will not pass this PR");
    expect(ledger(h)).toContain('"kind":"pr.refused"');
  });

  it("/set by a writer commits on Remedy's branch through createCommitOnBranch (success once another writer approves); a reader's /set is refused", async () => {
    const h = await app.start();
    const { pr, pull } = await remedyPr(h);
    const before = pull.headSha;
    await app.receive(
      "issue_comment",
      "d-set-bob",
      commentCreated({ issue: pr.number, body: "/set 7", user: "bob", onPullRequest: true }),
    );
    expect(pull.headSha).toBe(before);
    expect(h.github.commentsOn(pr.number).at(-1)?.body).toContain(
      "needs write, maintain or admin permission",
    );
    await app.receive(
      "issue_comment",
      "d-set",
      commentCreated({ issue: pr.number, body: "/set 7", user: "alice", onPullRequest: true }),
    );
    expect(pull.headSha).not.toBe(before);
    expect(h.github.file(KUSTOMIZATION, pull.head)).toContain("count: 7");
    expect(h.github.refs.get("main")).toBeDefined();
    expect(h.github.file(KUSTOMIZATION)).not.toContain("count: 7");
    const run = h.github.checkRuns.filter((r) => r.name === "remedy/policy" && r.head_sha === pull.headSha);
    expect(run).toHaveLength(1);
    // Inside policy; prod's separate_approver then waits for someone other than who `/set` it.
    expect(run[0]).toMatchObject({ status: "in_progress" });
    expect(run[0]?.output.summary).toContain("the value was chosen by @alice");
    await approveAsAnotherWriter(h, pr, pull);
    expect(policyOn(h, pull.headSha)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(pr.body).toContain("**Modified by @alice** (`/set`)");
    expect(ledger(h)).toMatch(/"via":"set".*"kind":"pr.updated"/);
  });

  it("issues.closed by a person: the PR goes stale and becomes a draft (GraphQL convertPullRequestToDraft); pull_request.closed unmerged is recorded", async () => {
    const h = await app.start();
    const { issue, pr, pull } = await remedyPr(h);
    issue.state = "closed";
    await app.receive("issues", "d-closed", issueClosed({ ...issue }, "alice"));
    expect(pr.labels).toContain("remedy:stale");
    expect(pull.draft).toBe(true);
    expect(h.github.commentsOn(pr.number).at(-1)?.body).toContain(
      `The incident issue #${issue.number} was closed`,
    );
    expect(ledger(h)).toContain('"kind":"pr.stale"');
    pr.state = "closed";
    await app.receive(
      "pull_request",
      "d-pr-closed",
      pullRequestClosedUnmerged(
        {
          number: pr.number,
          body: pr.body,
          head: pull.head,
          headSha: pull.headSha,
          user: pr.user,
          labels: pr.labels,
        },
        "alice",
      ),
    );
    expect(ledger(h)).toContain('"kind":"pr.closed"');
  });

  it("pull_request.edited sent for Remedy's own body revision re-checks nothing", async () => {
    const h = await app.start();
    const { pr, pull } = await remedyPr(h);
    await app.receive(
      "pull_request",
      "d-edited-by-remedy",
      pullRequestEdited(
        {
          number: pr.number,
          body: pr.body,
          head: pull.head,
          headSha: pull.headSha,
          user: pr.user,
          labels: pr.labels,
        },
        BOT_LOGIN,
        pr.body,
      ),
    );
    expect(h.github.checkRuns.filter((r) => r.external_id?.startsWith("remedy-head:"))).toEqual([]);
    expect(h.logs.filter((l) => l.includes("PR head re-checked"))).toEqual([]);
  });

  it("an alert group that resolves makes the PR a stale draft; firing again makes it ready (GraphQL markPullRequestReadyForReview)", async () => {
    const h = await app.start();
    const url = await h.listen();
    const post = async (body: object) => {
      const response = await fetch(`${url}/alerts/${OWNER}/${REPO}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ALERT_TOKEN}` },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(202);
      await h.runtime.idle();
    };
    const firing = firingAlert();
    await post(firing);
    const pr = h.github.pulls()[0];
    if (pr?.pull === undefined) throw new Error("no Remedy PR from the alert");
    const alerts = firing.alerts as Array<Record<string, unknown>>;
    await post({
      ...firing,
      status: "resolved",
      alerts: alerts.map((a) => ({ ...a, status: "resolved", endsAt: "2026-03-02T10:20:00Z" })),
    });
    expect(pr.labels).toContain("remedy:stale");
    expect(pr.pull.draft).toBe(true);
    await post(firingAlert({ startsAt: "2026-03-02T10:30:00Z" }));
    expect(pr.labels).not.toContain("remedy:stale");
    expect(pr.pull.draft).toBe(false);
    expect(h.github.pulls()).toHaveLength(1);
  });

  it("a person's PR without a plan block is not Remedy's business: nothing is asked of GitHub", async () => {
    const h = await app.start({ expectAuth: false });
    const theirs = h.github.addPullRequest({
      title: "docs",
      body: "typo",
      user: "alice",
      head: "docs",
      files: { "README.md": "x" },
    });
    const requests = h.github.requests.length;
    await app.receive(
      "pull_request",
      "d-sync-theirs",
      pullRequestSynchronize(
        {
          number: theirs.number,
          body: theirs.body,
          head: "docs",
          headSha: theirs.pull?.headSha ?? "",
          user: "alice",
          labels: [],
        },
        "alice",
        "0".repeat(40),
      ),
    );
    expect(h.github.requests.length).toBe(requests);
  });
});

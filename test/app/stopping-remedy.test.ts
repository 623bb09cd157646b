/**
 * "Stopping Remedy" (README; SPEC §2 "Pause", §8 REMEDY_MODE) through Probot receiving GitHub's own
 * webhook payloads: each level stops the writes it names, at the App's edge.
 */
import { describe, expect, it } from "vitest";
import { useRemedyApp } from "./app-test.js";
import { FakeGitHub, exampleRepository } from "./fake-github.js";
import { commentCreated, issueOpened, pullRequestMerged, type Harness } from "./harness.js";
import { issueClosed, pullRequestReview, pullRequestSynchronize } from "./living-payloads.js";
import { badPrometheus, failingVerificationRepository, ledgerKinds, until } from "./failing-verification.js";

const KUSTOMIZATION = "manifests/storefront/overlays/prod/kustomization.yaml";

const closers: Array<() => Promise<void>> = [];
const app = useRemedyApp(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A writer's incident that would get a PR when nothing is paused. */
function openIncident(h: Harness) {
  return h.github.addIssue({
    title: "storefront prod: p99 latency high under traffic spike, scale to 8",
    body: "Checkout pages are slow since 09:50. Please scale up.",
    labels: ["incident"],
    user: "alice",
  });
}

/**
 * Writes Remedy made to the repository, its issues and PRs. Reads (GraphQL queries, token exchanges)
 * and the audit ledger's own commits on `remedy-audit` are not counted: a pause is still audited.
 */
function writes(h: Harness): string[] {
  const ledger = (body: unknown) =>
    /remedy-audit/.test(String((body as { ref?: unknown } | null)?.ref ?? ""));
  return h.github.requests
    .filter((r) => r.method !== "GET")
    .filter((r) => !/\/access_tokens$/.test(r.path))
    .filter((r) => !/\/git\/(blobs|trees|commits)$/.test(r.path))
    .filter((r) => !(/\/git\/refs/.test(r.path) && (ledger(r.body) || /remedy-audit/.test(r.path))))
    .filter((r) => !(r.path === "/graphql" && (!isMutation(r.body) || ledgerCommit(r.body))))
    .map((r) => `${r.method} ${r.path}${r.path === "/graphql" ? ` ${mutationName(r.body)}` : ""}`);
}

function mutationName(body: unknown): string {
  return /^\s*mutation\s+(\w+)/.exec(String((body as { query?: unknown } | null)?.query))?.[1] ?? "?";
}

function isMutation(body: unknown): boolean {
  return /^\s*mutation/.test(String((body as { query?: unknown } | null)?.query));
}

/** `createCommitOnBranch` onto the ledger branch: the audit record of the acknowledgement. */
function ledgerCommit(body: unknown): boolean {
  const input = (body as { variables?: { input?: { branch?: { branchName?: unknown } } } } | null)?.variables
    ?.input;
  return input?.branch?.branchName === "remedy-audit";
}

/** The writes made since `from` (a length of `writes(h)` taken earlier). */
function writesSince(h: Harness, from: number): string[] {
  return writes(h).slice(from);
}

describe("stopping Remedy, through the App", () => {
  it("REMEDY_MODE=off: nothing changes on GitHub but the acknowledgement", async () => {
    const harness = await app.start({ env: { REMEDY_MODE: "off" } });
    const issue = openIncident(harness);
    await app.receive("issues", "d-off", issueOpened({ ...issue }));
    expect(harness.github.pulls()).toHaveLength(0);
    // Nothing changes on GitHub: no issue, branch, commit, PR or label. The one write left is the
    // acknowledgement on the incident, so the person who opened it knows why nothing happens.
    expect(writes(harness)).toEqual([`POST /repos/shop/gitops/issues/${issue.number}/comments`]);
    expect(harness.github.comments.at(-1)?.body).toMatch(/REMEDY_MODE/);
  });

  it("REMEDY_MODE=dry-run: the incident gets the plan as a comment, no branch and no PR", async () => {
    const harness = await app.start({ env: { REMEDY_MODE: "dry-run" } });
    const issue = openIncident(harness);
    await app.receive("issues", "d-dry", issueOpened({ ...issue }));
    expect(harness.github.pulls()).toHaveLength(0);
    expect(writes(harness).filter((w) => /\/git\/refs|\/pulls|RemedyOpenPullRequest/.test(w))).toEqual([]);
    const decision = harness.github.comments.filter((c) => c.issue === issue.number).at(-1)?.body ?? "";
    expect(decision).toMatch(/Remedy dry run: would open a PR/);
  });

  it("mode: off in .github/remedy.yml: one acknowledgement on the incident, no branch and no PR", async () => {
    const files = exampleRepository();
    files[".github/remedy.yml"] = (files[".github/remedy.yml"] ?? "").replace(/^mode: .*$/m, "mode: off");
    const harness = await app.start({ github: new FakeGitHub(files) });
    const issue = openIncident(harness);
    await app.receive("issues", "d-mode-off", issueOpened({ ...issue }));
    expect(harness.github.pulls()).toHaveLength(0);
    expect(writes(harness).filter((w) => /\/git\/refs|\/pulls|RemedyOpenPullRequest/.test(w))).toEqual([]);
    const comments = harness.github.comments.filter((c) => c.issue === issue.number);
    expect(comments.map((c) => c.body).join("\n")).toMatch(/mode: off/);
  });

  it("/pause from a writer on the incident: a later /propose opens nothing until /resume", async () => {
    const harness = await app.start();
    const issue = openIncident(harness);
    // The incident issue exists but Remedy has not acted on it: a writer pauses it first.
    await app.receive(
      "issue_comment",
      "d-pause",
      commentCreated({ issue: issue.number, body: "/pause", user: "alice" }),
    );
    await app.receive(
      "issue_comment",
      "d-propose",
      commentCreated({ issue: issue.number, body: "/propose", user: "alice" }),
    );
    expect(harness.github.pulls()).toHaveLength(0);
    await app.receive(
      "issue_comment",
      "d-resume",
      commentCreated({ issue: issue.number, body: "/resume", user: "alice" }),
    );
    await app.receive(
      "issue_comment",
      "d-propose-2",
      commentCreated({ issue: issue.number, body: "/propose", user: "alice" }),
    );
    expect(harness.github.pulls()).toHaveLength(1);
  });

  it("/pause from a reader is refused: the incident is not paused", async () => {
    const harness = await app.start();
    const issue = openIncident(harness);
    await app.receive(
      "issue_comment",
      "d-pause-r",
      commentCreated({ issue: issue.number, body: "/pause", user: "bob" }),
    );
    await app.receive(
      "issue_comment",
      "d-propose-w",
      commentCreated({ issue: issue.number, body: "/propose", user: "alice" }),
    );
    expect(harness.github.pulls()).toHaveLength(1);
  });
});

/**
 * Done-when of #13: "a pause test shows zero GitHub writes beyond the acknowledgement", at each level
 * a person can reach from GitHub. The count is over every non-GET request Remedy sends (REST and
 * GraphQL mutations); the ledger's own commits on `remedy-audit` are the audit of the acknowledgement.
 */
describe("a paused scope gets zero GitHub writes beyond the acknowledgement, at every level", () => {
  const comment = (n: number) => `POST /repos/shop/gitops/issues/${n}/comments`;

  it("mode: off: a writer's incident and a later /propose get comments and nothing else", async () => {
    const files = exampleRepository();
    files[".github/remedy.yml"] = (files[".github/remedy.yml"] ?? "").replace(/^mode: .*$/m, "mode: off");
    const harness = await app.start({ github: new FakeGitHub(files) });
    const issue = openIncident(harness);
    await app.receive("issues", "z-mode-off", issueOpened({ ...issue }));
    expect(writes(harness)).toEqual([comment(issue.number)]);
    await app.receive(
      "issue_comment",
      "z-mode-off-propose",
      commentCreated({ issue: issue.number, body: "/propose", user: "alice" }),
    );
    expect(writes(harness).every((w) => w === comment(issue.number))).toBe(true);
    expect(harness.github.pulls()).toHaveLength(0);
    expect(harness.github.comments.filter((c) => c.issue === issue.number).at(-1)?.body).toMatch(/mode: off/);
  });

  it("/pause by a writer: the acknowledgement is one comment; a /propose after it writes only a comment", async () => {
    const harness = await app.start();
    const issue = openIncident(harness);
    await app.receive(
      "issue_comment",
      "z-pause",
      commentCreated({ issue: issue.number, body: "/pause", user: "alice" }),
    );
    expect(writes(harness)).toEqual([comment(issue.number)]);
    expect(harness.github.comments.at(-1)?.body).toMatch(/Remedy is paused on incident #\d+ by @alice/);
    const before = writes(harness).length;
    await app.receive(
      "issue_comment",
      "z-pause-propose",
      commentCreated({ issue: issue.number, body: "/propose scale to 8", user: "alice" }),
    );
    expect(writesSince(harness, before)).toEqual([comment(issue.number)]);
    expect(harness.github.pulls()).toHaveLength(0);
  });

  it("the remedy:paused label from a writer: one comment; the incident's signal then writes only a comment", async () => {
    const harness = await app.start();
    const issue = harness.github.addIssue({
      title: "storefront prod: p99 latency high under traffic spike, scale to 8",
      body: "Checkout pages are slow since 09:50. Please scale up.",
      labels: ["incident", "remedy:paused"],
      user: "alice",
    });
    const labeled = {
      ...issueOpened({ ...issue }),
      action: "labeled",
      label: { id: 9, name: "remedy:paused", color: "ededed", default: false },
    };
    await app.receive("issues", "z-label", labeled);
    expect(writes(harness)).toEqual([comment(issue.number)]);
    const before = writes(harness).length;
    await app.receive(
      "issue_comment",
      "z-label-propose",
      commentCreated({ issue: issue.number, body: "/propose", user: "alice" }),
    );
    expect(writesSince(harness, before)).toEqual([comment(issue.number)]);
    expect(harness.github.pulls()).toHaveLength(0);
  });

  it("/pause on a Remedy PR: then a writer's push and a /set write nothing but the /set reply", async () => {
    const h = await app.start();
    const issue = openIncident(h);
    await app.receive("issues", "z-pr-incident", issueOpened({ ...issue }));
    const pr = h.github.pulls()[0];
    if (pr?.pull === undefined) throw new Error("no Remedy PR");
    const pull = pr.pull;
    let before = writes(h).length;
    await app.receive(
      "issue_comment",
      "z-pr-pause",
      commentCreated({ issue: pr.number, body: "/pause", user: "alice", onPullRequest: true }),
    );
    // The pause's own writes: auto-merge off (so the pause is true) and the acknowledgement.
    expect(writesSince(h, before)).toEqual(["POST /graphql RemedyDisableAutoMerge", comment(pr.number)]);
    const packet = pr.body;
    const checks = h.github.checkRuns.length;

    before = writes(h).length;
    const text = h.github.file(KUSTOMIZATION, pull.head) ?? "";
    const previous = pull.headSha;
    const sha = h.github.commit(
      previous,
      { [KUSTOMIZATION]: text.replace(/count: (\d+)/, (_m, n: string) => `count: ${Number(n) + 1}`) },
      "a person's push",
      "alice",
    );
    h.github.refs.set(pull.head, sha);
    pull.headSha = sha;
    await app.receive(
      "pull_request",
      "z-pr-push",
      pullRequestSynchronize(
        { number: pr.number, body: pr.body, head: pull.head, headSha: sha, user: pr.user, labels: pr.labels },
        "alice",
        previous,
      ),
    );
    expect(writesSince(h, before)).toEqual([]);
    expect(pr.body).toBe(packet);
    expect(h.github.checkRuns).toHaveLength(checks);

    before = writes(h).length;
    await app.receive(
      "issue_comment",
      "z-pr-set",
      commentCreated({ issue: pr.number, body: "/set 7", user: "alice", onPullRequest: true }),
    );
    expect(writesSince(h, before)).toEqual([comment(pr.number)]);
    expect(h.github.refs.get(pull.head)).toBe(sha);
    expect(h.github.comments.at(-1)?.body).toMatch(
      /Remedy is paused: this PR is paused .*Nothing was written/s,
    );

    // /resume catches up: the head pushed during the pause is checked, and the packet follows it.
    await app.receive(
      "issue_comment",
      "z-pr-resume",
      commentCreated({ issue: pr.number, body: "/resume", user: "alice", onPullRequest: true }),
    );
    const run = h.github.checkRuns.filter((r) => r.name === "remedy/policy" && r.head_sha === sha);
    expect(run).toHaveLength(1);
    // Inside policy; prod's separate_approver then waits for someone other than the pusher.
    expect(run[0]).toMatchObject({ status: "in_progress" });
    expect(run[0]?.output.summary).toContain("the value was chosen by @alice");
    expect(pr.body).toContain("**Modified by @alice** (a push to the branch)");
    await app.receive(
      "pull_request_review",
      "z-pr-review",
      pullRequestReview(
        { number: pr.number, body: pr.body, head: pull.head, headSha: sha, user: pr.user, labels: pr.labels },
        { id: 1, reviewer: "carol", state: "approved", at: "2026-12-03T10:05:00Z" },
      ),
    );
    expect(
      h.github.checkRuns.filter((r) => r.name === "remedy/policy" && r.head_sha === sha).at(-1),
    ).toMatchObject({ status: "completed", conclusion: "success" });
  });

  it("a paused PR that fails verification: the check run reports, the escalation replaces the revert, nothing else is written", async () => {
    const prometheus = await badPrometheus();
    closers.push(prometheus.close);
    const h = await app.start({ github: failingVerificationRepository(prometheus.url) });
    const issue = openIncident(h);
    await app.receive("issues", "z-verify-incident", issueOpened({ ...issue }));
    const pr = h.github.pulls()[0];
    if (pr?.pull === undefined) throw new Error("no Remedy PR");
    await app.receive(
      "issue_comment",
      "z-verify-pause",
      commentCreated({ issue: pr.number, body: "/pause", user: "alice", onPullRequest: true }),
    );
    const before = writes(h).length;
    const raw = h.github.requests.length;
    const mergeSha = h.github.mergePullRequest(pr.number);
    await app.receive(
      "pull_request",
      "z-verify-merged",
      pullRequestMerged({
        number: pr.number,
        body: pr.body,
        head: pr.pull.head,
        mergeSha,
        labels: pr.labels,
      }),
    );
    await until(h, "the verdict", () => ledgerKinds(h).includes("verify.failed"));
    await h.runtime.idle();
    expect(h.github.pulls()).toHaveLength(1);
    expect(ledgerKinds(h)).not.toContain("revert.opened");
    expect(pr.labels).toContain("needs-human");
    const verify = h.github.checkRuns.find((r) => r.name === "remedy/verify" && r.head_sha === mergeSha);
    expect(verify?.conclusion).toBe("failure");
    // What a paused scope allows (SPEC §1 invariant 8): the check run, comments, the needs-human label.
    const allowed = [
      /^POST \/repos\/shop\/gitops\/check-runs$/,
      /^PATCH \/repos\/shop\/gitops\/check-runs\/\d+$/,
      /^(POST|PATCH) \/repos\/shop\/gitops\/issues(\/comments)?\/\d+(\/comments)?$/,
      /^POST \/repos\/shop\/gitops\/issues\/\d+\/labels$/,
    ];
    const unexpected = writesSince(h, before).filter((w) => !allowed.some((a) => a.test(w)));
    expect(unexpected).toEqual([]);
    const labelled = h.github.requests
      .slice(raw)
      .filter((r) => r.method === "POST" && /\/issues\/\d+\/labels$/.test(r.path))
      .flatMap((r) => (r.body as { labels?: string[] } | null)?.labels ?? []);
    expect(new Set(labelled)).toEqual(new Set(["needs-human"]));
    expect(h.github.commentsOn(pr.number).at(-1)?.body).toMatch(/Verification failed while Remedy is paused/);
    expect(
      h.github.requests.some((r) => /\/git\/refs$/.test(r.path) && /revert\//.test(JSON.stringify(r.body))),
    ).toBe(false);
  }, 30_000);

  it("a paused PR whose incident a person closes is not made stale: no label, no draft, no comment on it", async () => {
    const h = await app.start();
    const issue = openIncident(h);
    await app.receive("issues", "z-stale-incident", issueOpened({ ...issue }));
    const pr = h.github.pulls()[0];
    if (pr?.pull === undefined) throw new Error("no Remedy PR");
    await app.receive(
      "issue_comment",
      "z-stale-pause",
      commentCreated({ issue: pr.number, body: "/pause", user: "alice", onPullRequest: true }),
    );
    const before = writes(h).length;
    await app.receive("issues", "z-stale-closed", issueClosed({ ...issue, labels: ["incident"] }, "alice"));
    const onPr = writesSince(h, before).filter(
      (w) => w.includes(`/issues/${pr.number}/`) || w.includes(`/pulls/${pr.number}`) || /Draft/.test(w),
    );
    expect(onPr).toEqual([]);
    expect(pr.labels).not.toContain("remedy:stale");
    expect(ledgerKinds(h)).not.toContain("pr.stale");
  });

  it("/resume after the incident was closed while paused makes the PR stale then: label, draft, the reason", async () => {
    const h = await app.start();
    const issue = openIncident(h);
    await app.receive("issues", "z-resume-incident", issueOpened({ ...issue }));
    const pr = h.github.pulls()[0];
    if (pr?.pull === undefined) throw new Error("no Remedy PR");
    await app.receive(
      "issue_comment",
      "z-resume-pause",
      commentCreated({ issue: pr.number, body: "/pause", user: "alice", onPullRequest: true }),
    );
    // GitHub closes the issue, then delivers the event.
    h.github.issues.get(issue.number)!.state = "closed";
    await app.receive("issues", "z-resume-closed", issueClosed({ ...issue, labels: ["incident"] }, "alice"));
    expect(pr.labels).not.toContain("remedy:stale");
    await app.receive(
      "issue_comment",
      "z-resume-resume",
      commentCreated({ issue: pr.number, body: "/resume", user: "alice", onPullRequest: true }),
    );
    expect(pr.labels).toContain("remedy:stale");
    expect(pr.pull.draft).toBe(true);
    expect(
      h.github
        .commentsOn(pr.number)
        .map((c) => c.body)
        .join("\n"),
    ).toMatch(/was closed while Remedy was paused/);
    expect(ledgerKinds(h)).toContain("pr.stale");
  });
});

import { describe, expect, it } from "vitest";
import { incidentKey } from "../../src/signals/incident.js";
import { useRemedyApp } from "./app-test.js";
import { BOT_LOGIN, OWNER, PR_CREATION, REPO } from "./fake-github.js";
import {
  ALERT_TOKEN,
  commentCreated,
  firingAlert,
  issueOpened,
  pullRequestMerged,
  type Harness,
} from "./harness.js";

const app = useRemedyApp();

const KUSTOMIZATION = "manifests/storefront/overlays/prod/kustomization.yaml";

function openIncident(h: Harness) {
  return h.github.addIssue({
    title: "storefront prod: p99 latency high under traffic spike, scale to 8",
    body: "Checkout pages are slow since 09:50. Please scale up.",
    labels: ["incident"],
    user: "alice",
  });
}

function ledger(h: Harness): string {
  return h.github.file("ledger.jsonl", "remedy-audit") ?? "";
}

describe("invariant 6: Remedy trusts only what it wrote", () => {
  it("a plan block copied into a person's PR is never acted on: no verification, no revert, no closed issue", async () => {
    const h = await app.start();
    const issue = openIncident(h);
    await app.receive("issues", "d-incident", issueOpened({ ...issue }));
    const real = h.github.pulls()[0];
    if (real === undefined) throw new Error("no Remedy PR");
    // A read-only contributor's harmless-looking PR carries the block, aimed at the policies.
    const block = real.body.slice(real.body.lastIndexOf("<!-- remedy:plan"));
    const forged = block
      .replace(KUSTOMIZATION, "policies/10-prod.yaml")
      .replace(/"reviewers":\[[^\]]*\]/, '"reviewers":["@mallory"]');
    const policy = h.github.file("policies/10-prod.yaml") ?? "";
    const theirs = h.github.addPullRequest({
      title: "docs: typo",
      body: `Fixes a typo.\n\n${forged}`,
      user: "mallory",
      head: "typo",
      files: { "policies/10-prod.yaml": policy.replace(/max_replicas: \d+/, "max_replicas: 1000") },
      labels: ["remedy"],
    });
    const mergeSha = h.github.mergePullRequest(theirs.number);
    const before = h.github.pulls().length;
    await app.receive(
      "pull_request",
      "d-merged-forged",
      pullRequestMerged({
        number: theirs.number,
        body: theirs.body,
        head: "typo",
        mergeSha,
        labels: ["remedy"],
        user: "mallory",
      }),
    );
    expect(h.github.checkRuns.filter((r) => r.name === "remedy/verify")).toEqual([]);
    expect(h.runtime.scheduler.size).toBe(0);
    expect(h.github.issues.get(issue.number)?.state).toBe("open");

    // A writer's /rollback on it treats it as a person's PR: it changes no configured field.
    await app.receive(
      "issue_comment",
      "d-rollback-forged",
      commentCreated({ issue: theirs.number, body: "/rollback", user: "alice", onPullRequest: true }),
    );
    expect(h.github.pulls()).toHaveLength(before);
    expect(h.github.commentsOn(theirs.number).at(-1)?.body).toContain("Remedy cannot roll this PR back");
    expect(h.github.file("policies/10-prod.yaml")).toContain("max_replicas: 1000"); // theirs, merged by a person
    expect(ledger(h)).not.toContain('"kind":"revert.opened"');
  });

  it("a Remedy PR whose plan block was edited is refused on merge, with a comment and needs-human", async () => {
    const h = await app.start();
    const issue = openIncident(h);
    await app.receive("issues", "d-incident", issueOpened({ ...issue }));
    const pr = h.github.pulls()[0];
    if (pr?.pull === undefined) throw new Error("no Remedy PR");
    // Someone with write access edits the hidden block: the revert would now "restore" 30 replicas.
    pr.body = pr.body.replace(
      /"revert":\{"field":"replicas","value":"\d+"\}/,
      '"revert":{"field":"replicas","value":"30"}',
    );
    expect(pr.body).toContain('"value":"30"');
    const mergeSha = h.github.mergePullRequest(pr.number);
    await app.receive(
      "pull_request",
      "d-merged-edited",
      pullRequestMerged({
        number: pr.number,
        body: pr.body,
        head: pr.pull.head,
        mergeSha,
        labels: pr.labels,
      }),
    );
    expect(h.github.checkRuns.filter((r) => r.name === "remedy/verify")).toEqual([]);
    const refusal = h.github.commentsOn(pr.number).at(-1)?.body ?? "";
    expect(refusal).toContain("Remedy will not verify or revert this merge");
    expect(refusal).toContain("the PR body was edited");
    expect(h.github.issues.get(pr.number)?.labels).toContain("needs-human");
    expect(ledger(h)).toContain('"kind":"verify.refused"');
  });

  it("a remedy/… branch pushed in advance is never adopted: no PR, the incident says why, the ledger records it", async () => {
    const h = await app.start();
    const issue = openIncident(h);
    // Branch names are predictable: the attacker pushes the planned value plus a policy and a workflow.
    const key = incidentKey(`${OWNER}/${REPO}`, "issue", String(issue.number));
    const branch = `remedy/storefront-prod-scale-${key.slice(0, 8)}`;
    const main = h.github.refs.get("main") ?? null;
    const kustomization = h.github.file(KUSTOMIZATION) ?? "";
    const sha = h.github.commit(
      main,
      {
        [KUSTOMIZATION]: kustomization.replace("count: 6", "count: 8"),
        ".github/workflows/x.yml": "on: push\njobs: {}\n",
      },
      "scale storefront in prod: 6 → 8 replicas",
      "mallory",
    );
    h.github.refs.set(branch, sha);
    await app.receive("issues", "d-incident", issueOpened({ ...issue }));
    expect(h.github.pulls()).toEqual([]);
    const said = h.github
      .commentsOn(issue.number)
      .map((c) => c.body)
      .join("\n");
    expect(said).toContain("Remedy cannot vouch for it");
    expect(said).toContain("@mallory");
    expect(said).toContain(".github/workflows/x.yml");
    expect(ledger(h)).toContain('"kind":"branch.refused"');
    expect(h.github.refs.get(branch)).toBe(sha); // never pushed to, never force-pushed
  });

  it("the first PR on a repository with an empty ledger anchors a real entry: its commit trailer and PR body name the decision", async () => {
    const h = await app.start();
    expect(ledger(h)).toBe("");
    const issue = openIncident(h);
    await app.receive("issues", "d-incident", issueOpened({ ...issue }));
    const pr = h.github.pulls()[0];
    if (pr?.pull === undefined) throw new Error("no Remedy PR");
    const entries = ledger(h)
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as { kind: string; hash: string });
    const message = h.github.commits.get(pr.pull.headSha)?.message ?? "";
    const anchor = /^Remedy-Audit: (sha256:[0-9a-f]{64})$/m.exec(message)?.[1];
    expect(entries.find((e) => e.hash === anchor)?.kind).toBe("decision");
    expect(pr.body).toContain(`\`${anchor}\``);
    expect(entries.map((e) => e.kind).filter((k) => k === "decision")).toHaveLength(1);
  });

  it("a remedy/… branch pushed while Remedy takes it (between its read and its one request) is never adopted either", async () => {
    const h = await app.start();
    const issue = openIncident(h);
    const key = incidentKey(`${OWNER}/${REPO}`, "issue", String(issue.number));
    const branch = `remedy/storefront-prod-scale-${key.slice(0, 8)}`;
    // The request that takes the branch with its commit is held; the attacker pushes in that instant.
    const stall = {
      method: "POST",
      path: /^\/graphql$/,
      query: /RemedyBranchCommit/,
      delayMs: 200,
      times: 1,
    };
    h.github.failures.push(stall);
    const receiving = app.receive("issues", "d-incident", issueOpened({ ...issue }));
    for (let waited = 0; stall.times > 0 && waited < 5000; waited += 5)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(stall.times).toBe(0);
    expect(h.github.refs.has(branch)).toBe(false);
    const main = h.github.refs.get("main") ?? null;
    const kustomization = h.github.file(KUSTOMIZATION) ?? "";
    const sha = h.github.commit(
      main,
      {
        [KUSTOMIZATION]: kustomization.replace("count: 6", "count: 8"),
        ".github/workflows/x.yml": "on: push\n",
      },
      "scale storefront in prod: 6 → 8 replicas",
      "mallory",
    );
    h.github.refs.set(branch, sha);
    await receiving;
    expect(h.github.pulls()).toEqual([]);
    const said = h.github
      .commentsOn(issue.number)
      .map((c) => c.body)
      .join("\n");
    expect(said).toContain("Remedy cannot vouch for it");
    expect(said).toContain("@mallory");
    expect(ledger(h)).toContain('"kind":"branch.refused"');
    expect(ledger(h)).toContain('"kind":"decision"');
    expect(h.github.refs.get(branch)).toBe(sha); // Remedy's commit did not land on it
  });

  it("invariant 7: a PR that GitHub refused to open is reported with /propose, and the retry completes Remedy's own branch", async () => {
    // No automatic retry here (test/app/no-signal-lost.test.ts has those): a person retries.
    const h = await app.start({ env: { REMEDY_RETRY_ATTEMPTS: "1" } });
    h.github.failures.push({ ...PR_CREATION, status: 500, times: 1 });
    const issue = openIncident(h);
    await app.receive("issues", "d-incident", issueOpened({ ...issue }));
    expect(h.github.pulls()).toEqual([]);
    const told = h.github
      .commentsOn(issue.number)
      .map((c) => c.body)
      .join("\n");
    expect(told).toContain("could not open the pull request");
    expect(told).toContain("/propose");
    await app.receive(
      "issue_comment",
      "d-propose",
      commentCreated({ issue: issue.number, body: "/propose", user: "carol" }),
    );
    const pulls = h.github.pulls();
    expect(pulls).toHaveLength(1);
    expect(pulls[0]?.user).toBe(BOT_LOGIN);
    // One signed commit on the branch: the retry built on Remedy's own commit instead of adding one.
    const commits = h.github.requests.filter(
      (r) =>
        r.method === "POST" &&
        r.path === "/graphql" &&
        JSON.stringify(r.body).includes("createCommitOnBranch") &&
        JSON.stringify(r.body).includes("remedy/storefront"),
    );
    expect(commits).toHaveLength(1);
    expect(ledger(h)).toContain('"kind":"pr.opened"');
  });
});

describe("SPEC §3.4: one field, one PR", () => {
  it("five alert groups for the same service at once open one PR", async () => {
    const h = await app.start();
    const url = await h.listen();
    const groups = ["pod-a", "pod-b", "pod-c", "pod-d", "pod-e"].map((pod, i) => {
      const alert = firingAlert({ fingerprint: `f${i}`.padEnd(16, "0") });
      return {
        ...alert,
        groupKey: `{}:{alertname="HighLatency", pod="${pod}"}`,
        groupLabels: { alertname: "HighLatency", pod },
      };
    });
    const answers = await Promise.all(
      groups.map((body) =>
        fetch(`${url}/alerts/${OWNER}/${REPO}`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${ALERT_TOKEN}` },
          body: JSON.stringify(body),
        }).then((r) => r.status),
      ),
    );
    expect(answers).toEqual([202, 202, 202, 202, 202]);
    await h.runtime.idle();
    const incidents = [...h.github.issues.values()].filter((i) => i.pull === undefined);
    expect(incidents).toHaveLength(5);
    expect(h.github.pulls()).toHaveLength(1);
    const pr = h.github.pulls()[0];
    // The others are told which PR already changes the field.
    const pointed = incidents.filter((i) =>
      h.github.commentsOn(i.number).some((c) => c.body.includes(`/pull/${pr?.number}`)),
    );
    expect(pointed).toHaveLength(5);
  });
});

/**
 * Irreversible changes (issue #13, SPEC §3.2) through Probot: a runbook action `reversible: false`
 * with a reason, or the `remedy:irreversible` label on the PR, makes the packet say a rollback needs a
 * human and why, and `/rollback` asks for `/rollback --force`, which only a writer can give.
 */
import { describe, expect, it } from "vitest";
import { useRemedyApp } from "./app-test.js";
import { FakeGitHub, exampleRepository } from "./fake-github.js";
import { commentCreated, issueOpened, pullRequestMerged, type Harness } from "./harness.js";
import { badPrometheus, failingVerificationFiles, ledgerKinds, until } from "./failing-verification.js";

const app = useRemedyApp();

const REASON = "the consumers migrate the queue schema when they start";

function irreversibleRunbook(prometheus?: string): FakeGitHub {
  const files = prometheus === undefined ? exampleRepository() : failingVerificationFiles(prometheus);
  const runbook = files["runbooks/scale-on-saturation.yaml"] ?? "";
  expect(runbook).toContain("action:\n  kind: scale\n");
  files["runbooks/scale-on-saturation.yaml"] = runbook.replace(
    "action:\n  kind: scale\n",
    `action:\n  kind: scale\n  reversible: false\n  reason: "${REASON}"\n`,
  );
  return new FakeGitHub(files);
}

/** A writer's incident, its PR merged by a reviewer (no verification started: no merge webhook). */
async function mergedProposal(h: Harness): Promise<{ number: number; body: string }> {
  const issue = h.github.addIssue({
    title: "storefront prod: p99 latency high under traffic spike, scale to 8",
    body: "Checkout pages are slow since 09:50.",
    labels: ["incident"],
    user: "alice",
  });
  await app.receive("issues", `open-${issue.number}`, issueOpened({ ...issue }));
  const pr = h.github.pulls()[0];
  if (pr === undefined) throw new Error("no PR");
  h.github.mergePullRequest(pr.number);
  return { number: pr.number, body: pr.body };
}

const reverts = (h: Harness) => [...h.github.refs.keys()].filter((ref) => ref.startsWith("revert/"));
const rollback = (h: Harness, pr: number, id: string, body: string, user: string) =>
  app.receive("issue_comment", id, commentCreated({ issue: pr, body, user, onPullRequest: true }));

describe("irreversible changes, through the App", () => {
  it("reversible: false: the packet says why a human is needed; /rollback asks for --force, a writer's --force opens the revert", async () => {
    const h = await app.start({ github: irreversibleRunbook() });
    const pr = await mergedProposal(h);
    expect(pr.body).toMatch(/## Reversibility\n⚠️ \*\*Irreversible: a rollback needs a human\.\*\*/);
    expect(pr.body).toContain(REASON);
    expect(pr.body).toMatch(/irreversible: a rollback needs a human/);

    await rollback(h, pr.number, "rb-alice", "/rollback", "alice");
    const said = h.github
      .commentsOn(pr.number)
      .map((c) => c.body)
      .join("\n");
    expect(said).toMatch(/### Rollback needs a human decision/);
    expect(said).toContain("`/rollback --force`");
    expect(reverts(h)).toEqual([]);

    await rollback(h, pr.number, "rb-bob-force", "/rollback --force", "bob");
    expect(reverts(h)).toEqual([]);
    expect(h.github.pulls()).toHaveLength(1);

    await rollback(h, pr.number, "rb-alice-force", "/rollback --force", "alice");
    expect(reverts(h)).toHaveLength(1);
    expect(h.github.pulls()).toHaveLength(2);
    expect(h.github.problems()).toEqual([]);
  });

  it("the remedy:irreversible label on an ordinary PR makes /rollback ask for --force too", async () => {
    const h = await app.start();
    const pr = await mergedProposal(h);
    expect(pr.body).not.toMatch(/Irreversible/);
    h.github.issues.get(pr.number)?.labels.push("remedy:irreversible");

    await rollback(h, pr.number, "rb-label", "/rollback", "alice");
    expect(
      h.github
        .commentsOn(pr.number)
        .map((c) => c.body)
        .join("\n"),
    ).toMatch(/### Rollback needs a human decision/);
    expect(reverts(h)).toEqual([]);
    await rollback(h, pr.number, "rb-label-force", "/rollback --force", "alice");
    expect(reverts(h)).toHaveLength(1);
  });

  it("a failed verification of an irreversible change escalates (comment, needs-human) and opens no revert", async () => {
    const prometheus = await badPrometheus();
    try {
      const h = await app.start({ github: irreversibleRunbook(prometheus.url) });
      const issue = h.github.addIssue({
        title: "storefront prod: p99 latency high under traffic spike, scale to 8",
        body: "",
        labels: ["incident"],
        user: "alice",
      });
      await app.receive("issues", "open", issueOpened({ ...issue }));
      const pr = h.github.pulls()[0];
      if (pr?.pull === undefined) throw new Error("no PR");
      const mergeSha = h.github.mergePullRequest(pr.number);
      await app.receive(
        "pull_request",
        "merged",
        pullRequestMerged({
          number: pr.number,
          body: pr.body,
          head: pr.pull.head,
          mergeSha,
          labels: pr.labels,
        }),
      );
      await until(h, "the verdict", () => ledgerKinds(h).includes("verify.failed"));
      // The escalation is posted by the verification's own timer, after its ledger record.
      await until(
        h,
        "the escalation",
        () =>
          h.github.commentsOn(pr.number).some((c) => c.body.includes("Verification failed")) &&
          (h.github.issues.get(pr.number)?.labels.includes("needs-human") ?? false),
      );
      expect(reverts(h)).toEqual([]);
      expect(h.github.pulls()).toHaveLength(1);
      expect(h.github.issues.get(pr.number)?.labels).toContain("needs-human");
      const said = [...h.github.commentsOn(pr.number), ...h.github.commentsOn(issue.number)]
        .map((c) => c.body)
        .join("\n");
      expect(said).toMatch(
        /did not open a revert PR: the change is marked irreversible by its runbook: the consumers migrate/,
      );
      expect(said).toMatch(/A person must decide/);
      expect(said).toContain("@shop/web");
    } finally {
      await app.finish();
      await prometheus.close();
    }
  }, 30_000);
});

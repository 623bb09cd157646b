/**
 * The circuit breaker (issue #13, SPEC §3.3 `circuit_breaker`) through Probot: two of Remedy's own
 * PRs fail verification (against a local Prometheus that answers a bad latency) in one repository,
 * so Remedy pauses the repository itself, opens one "Remedy paused itself" issue naming the owners,
 * records `breaker.tripped`, opens no PR for the next incident, and a writer's `/resume` lifts it.
 */
import { describe, expect, it } from "vitest";
import { useRemedyApp } from "./app-test.js";
import {
  badPrometheus,
  failingVerificationRepository,
  ledgerKinds,
  until as untilOn,
} from "./failing-verification.js";
import { commentCreated, issueOpened, pullRequestMerged, type Harness } from "./harness.js";

let closePrometheus: (() => Promise<void>) | undefined;
const app = useRemedyApp(async () => {
  await closePrometheus?.();
  closePrometheus = undefined;
});
const until = (what: string, ok: () => boolean) => untilOn(app.h, what, ok);

/** A writer's incident gets a PR; a reviewer merges it; its verification fails. */
async function failedChange(h: Harness, title: string): Promise<number> {
  const issue = h.github.addIssue({ title, body: "Since 09:50.", labels: ["incident"], user: "alice" });
  await app.receive("issues", `open-${issue.number}`, issueOpened({ ...issue }));
  const pr = h.github.pulls().find((p) => p.body.includes(`#${issue.number}`) && p.pull?.mergedAt === null);
  if (pr?.pull === undefined) throw new Error(`no PR for ${title}`);
  const failedBefore = ledgerKinds(h).filter((k) => k === "verify.failed").length;
  const mergeSha = h.github.mergePullRequest(pr.number);
  await app.receive(
    "pull_request",
    `merged-${pr.number}`,
    pullRequestMerged({ number: pr.number, body: pr.body, head: pr.pull.head, mergeSha, labels: pr.labels }),
  );
  await until(
    `#${pr.number} to fail verification`,
    () => ledgerKinds(h).filter((k) => k === "verify.failed").length > failedBefore,
  );
  return pr.number;
}

const breakerIssues = (h: Harness) =>
  [...h.github.issues.values()].filter((i) => i.pull === undefined && i.labels.includes("remedy:breaker"));

describe("the circuit breaker, through the App", () => {
  it("two failed verifications pause the repository: one issue, owners named, no PR for the next alert; a writer's /resume lifts it, a reader's does not", async () => {
    const prometheus = await badPrometheus();
    closePrometheus = prometheus.close;
    const h = await app.start({ github: failingVerificationRepository(prometheus.url) });
    await failedChange(h, "storefront prod: p99 latency high under traffic spike, scale up");
    expect(breakerIssues(h)).toEqual([]);
    await failedChange(h, "cart prod: p99 latency high under traffic spike, scale up");
    // The trip follows the failure's own ledger record and revert.
    await until("the breaker to trip", () => ledgerKinds(h).includes("breaker.tripped"));

    const issues = breakerIssues(h);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.title).toMatch(/^Remedy paused itself: 2 failed verifications in 24h/);
    expect(issues[0]?.body).toContain("@shop/checkout");
    expect(issues[0]?.labels).toContain("needs-human");
    expect(ledgerKinds(h).filter((k) => k === "breaker.tripped")).toHaveLength(1);

    const prs = h.github.pulls().length;
    const third = h.github.addIssue({
      title: "storefront prod: p99 latency high under traffic spike, scale to 8",
      body: "",
      labels: ["incident"],
      user: "alice",
    });
    await app.receive("issues", "third", issueOpened({ ...third }));
    expect(h.github.pulls()).toHaveLength(prs);
    expect(
      h.github
        .commentsOn(third.number)
        .map((c) => c.body)
        .join("\n"),
    ).toMatch(/circuit breaker/);

    const breaker = issues[0]?.number as number;
    await app.receive(
      "issue_comment",
      "resume-bob",
      commentCreated({ issue: breaker, body: "/resume", user: "bob" }),
    );
    expect(ledgerKinds(h)).not.toContain("resumed");
    await app.receive(
      "issue_comment",
      "resume-alice",
      commentCreated({ issue: breaker, body: "/resume", user: "alice" }),
    );
    expect(ledgerKinds(h)).toContain("resumed");
    // Lifted: the next incidents get PRs again (failedChange throws without one). Two more failures
    // trip it again, which updates the same issue instead of opening a second one.
    await failedChange(h, "storefront staging: p99 latency high under load, scale to 4");
    expect(h.github.pulls().length).toBeGreaterThan(prs);
    await failedChange(h, "cart staging: p99 latency high under load, scale to 3");
    await until("the second trip", () => ledgerKinds(h).filter((k) => k === "breaker.tripped").length === 2);
    expect(breakerIssues(h)).toHaveLength(1);
    expect(
      h.github
        .commentsOn(breaker)
        .map((c) => c.body)
        .join("\n"),
    ).toMatch(/Remedy paused itself/);
  }, 60_000);
});

/** SPEC §3.3 `circuit_breaker`: Remedy pauses a repository after repeated failed verifications. */
import { describe, expect, it } from "vitest";
import { onComment } from "../../src/flows/on-comment.js";
import { onIncidentIssue } from "../../src/flows/on-issue.js";
import { failuresCounted } from "../../src/flows/trip-breaker.js";
import { startVerification } from "../../src/flows/start-verification.js";
import { verificationTick } from "../../src/flows/verification-tick.js";
import type { PullRequest } from "../../src/forge/forge.js";
import type { LedgerEntry } from "../../src/audit/index.js";
import { nextEvaluationAt } from "../../src/verification/next-evaluation-at.js";
import { ScriptedHealth } from "../../src/verification/scripted-health.js";
import { fixtureFiles, POLICY, REMEDY_YML } from "../core/fixture-repo.js";
import { flowHarness, type Harness } from "../e2e/fixtures/flow-harness.js";
import { revertPullRequests } from "../e2e/fixtures/merged-remedy-pr.js";

const CHECKOUT = "checkout-api prod p99 latency high, scale up";
const SEARCH = "search-api prod p99 latency high, scale up";

function setup(policyExtra = "") {
  // Latency stays bad: every verification fails.
  const health = new ScriptedHealth({ latency_p99: [0.9] });
  const h = flowHarness(() => ({ health, rollout: health }), { start: "2026-11-21T10:00:00.000Z" });
  h.forge.permissions["reader"] = "read";
  h.forge.seedCommit(
    "main",
    fixtureFiles({
      ".github/remedy.yml": `${REMEDY_YML}notify:\n  webhook: { url_env: REMEDY_NOTIFY_HOOK }\n`,
      "policies/default.yaml":
        POLICY.replace(
          "rate_limit: { prs_per_service_per_hour: 2 }",
          "rate_limit: { prs_per_service_per_hour: 5 }",
        ) + policyExtra,
    }),
    "initial",
    "2026-11-20T10:00:00Z",
  );
  return h;
}

async function incident(h: Harness, title: string) {
  const issue = h.forge.openIssueAs("oncall", { title, body: "", labels: ["incident"] });
  const result = await onIncidentIssue(h.deps, issue);
  return { issue, result };
}

async function failAfterMerge(h: Harness, pr: PullRequest) {
  h.forge.merge(pr.number);
  let record = await startVerification(
    h.deps,
    h.forge.pullRequests.find((p) => p.number === pr.number) as PullRequest,
  );
  if (record === null) throw new Error("verification did not start");
  for (let n = 0; n < 50; n++) {
    const at = nextEvaluationAt(record.verdict);
    if (at === null) break;
    h.clock.ms = Math.max(h.clock.ms, Date.parse(at));
    const tick = await verificationTick(h.deps, record);
    record = tick.record;
    if (tick.done) return tick;
  }
  throw new Error("verification never finished");
}

const breakerIssues = (h: Harness) => h.forge.issues.filter((i) => i.labels.includes("remedy:breaker"));
const kinds = async (h: Harness) => (await h.deps.audit.entries()).map((e) => e.kind);

describe("circuit breaker", () => {
  it("trips on the second failure: that failure still gets its revert, then one issue, the incident told, the ledger", async () => {
    const h = setup();
    const sent: string[] = [];
    h.deps.notifier = { send: async (_channel, _env, n) => void sent.push(n.event) };
    const first = await incident(h, CHECKOUT);
    expect(first.result?.proposal?.status).toBe("opened");
    const one = await failAfterMerge(h, h.forge.pullRequests.at(-1) as PullRequest);
    expect(one.revert?.status).toBe("opened");
    expect(breakerIssues(h)).toHaveLength(0);

    const second = await incident(h, SEARCH);
    expect(second.result?.proposal?.status).toBe("opened");
    const two = await failAfterMerge(
      h,
      h.forge.pullRequests.find((p) => p.head.startsWith("remedy/search-api")) as PullRequest,
    );
    expect(two.revert?.status).toBe("opened");
    expect(revertPullRequests(h.forge)).toHaveLength(2);

    const issues = breakerIssues(h);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.title).toBe("Remedy paused itself: 2 failed verifications in 24h");
    expect(issues[0]?.labels).toContain("needs-human");
    expect(issues[0]?.body).toContain("@acme/search");
    expect(issues[0]?.body).toContain("`/resume`");
    expect(
      h.forge.comments.some((c) => c.on === second.issue.number && c.body.includes("Remedy paused itself")),
    ).toBe(true);
    expect(await kinds(h)).toContain("breaker.tripped");
    expect(sent.filter((e) => e === "breaker_tripped")).toHaveLength(1);
    expect(sent.filter((e) => e === "verification_failed")).toHaveLength(2);

    // Paused: a new incident gets the acknowledgement only.
    const prs = h.forge.pullRequests.length;
    const third = await incident(h, CHECKOUT);
    expect(third.result?.proposal).toBeNull();
    expect(h.forge.pullRequests).toHaveLength(prs);
    expect(h.forge.comments.find((c) => c.on === third.issue.number)?.body).toMatch(
      /circuit breaker paused this repository \(see #\d+\)/,
    );
  });

  it("tripping turns auto-merge off on Remedy's open PRs (the one write that makes the pause true)", async () => {
    const h = setup();
    await incident(h, CHECKOUT);
    await failAfterMerge(h, h.forge.pullRequests.at(-1) as PullRequest);
    const revert = revertPullRequests(h.forge)[0];
    if (revert === undefined) throw new Error("no revert PR");
    h.forge.autoMerge.add(revert.number);
    const person = h.forge.seedPullRequest({
      head: "someone/else",
      title: "a PR without Remedy's label",
      labels: [],
      createdAt: "2026-11-21T09:00:00.000Z",
    });
    h.forge.autoMerge.add(person.number);
    expect(h.forge.autoMerge.has(revert.number)).toBe(true);
    await incident(h, SEARCH);
    await failAfterMerge(
      h,
      h.forge.pullRequests.find((p) => p.head.startsWith("remedy/search-api")) as PullRequest,
    );
    expect(breakerIssues(h)).toHaveLength(1);
    expect(h.forge.autoMerge.has(revert.number)).toBe(false);
    // Not one of Remedy's PRs (no `remedy` label): left alone.
    expect(h.forge.autoMerge.has(person.number)).toBe(true);
  });

  it("/resume by a writer on the breaker issue lifts it; a reader's is refused; counting starts afresh", async () => {
    const h = setup();
    await incident(h, CHECKOUT);
    await failAfterMerge(h, h.forge.pullRequests.at(-1) as PullRequest);
    await incident(h, SEARCH);
    await failAfterMerge(
      h,
      h.forge.pullRequests.find((p) => p.head.startsWith("remedy/search-api")) as PullRequest,
    );
    const issue = breakerIssues(h)[0];
    if (issue === undefined) throw new Error("breaker did not trip");

    await onComment(h.deps, {
      number: issue.number,
      isPullRequest: false,
      body: "/resume",
      author: "reader",
      authorIsBot: false,
    });
    expect((await incident(h, CHECKOUT)).result?.proposal).toBeNull();

    await onComment(h.deps, {
      number: issue.number,
      isPullRequest: false,
      body: "/resume",
      author: "oncall",
      authorIsBot: false,
    });
    expect(await kinds(h)).toContain("resumed");
    h.clock.ms += 10 * 60_000;
    const after = await incident(h, "legacy prod p99 latency high, scale up");
    expect(after.result?.outcome).not.toBeNull(); // planned again, not the paused acknowledgement
    const entries = await h.deps.audit.entries();
    expect(failuresCounted(entries, h.clock.iso(), 86_400)).toHaveLength(0);
  });

  it("counts only failures inside the window and honours a higher threshold", async () => {
    const h = setup("circuit_breaker: { failed_verifications: 3, window: 1h }\n");
    await incident(h, CHECKOUT);
    await failAfterMerge(h, h.forge.pullRequests.at(-1) as PullRequest);
    await incident(h, SEARCH);
    await failAfterMerge(
      h,
      h.forge.pullRequests.find((p) => p.head.startsWith("remedy/search-api")) as PullRequest,
    );
    expect(breakerIssues(h)).toHaveLength(0);
    const at = (iso: string, kind: LedgerEntry["kind"]) =>
      ({ at: iso, kind, pr: 1, incident: 1, data: {} }) as unknown as LedgerEntry;
    expect(
      failuresCounted(
        [at("2026-11-21T08:00:00Z", "verify.failed"), at("2026-11-21T09:30:00Z", "verify.failed")],
        "2026-11-21T10:00:00Z",
        3600,
      ),
    ).toHaveLength(1);
  });
});

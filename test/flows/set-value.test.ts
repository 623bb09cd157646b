/** SPEC §2 `/set <value>`: a writer's modification of an open Remedy PR, checked before it is written. */
import { describe, expect, it } from "vitest";
import { onComment } from "../../src/flows/on-comment.js";
import { onPullRequestHead } from "../../src/flows/on-pull-request-head.js";
import { ownPlan } from "../../src/flows/own-plan.js";
import { parsePacket } from "../../src/proposal/approval-packet.js";
import { FILE, withRemedyPr } from "./living-pr.helpers.js";

type H = Awaited<ReturnType<typeof withRemedyPr>>;

function say(h: H, body: string, author = "oncall", number = h.pr.number) {
  return onComment(h.deps, { number, isPullRequest: true, body, author, authorIsBot: false });
}

const commits = (h: H) => h.forge.writes.filter((w) => w.kind === "commit");

describe("/set <value> on a Remedy PR", () => {
  it("a writer's /set inside policy commits the value, re-checks, revises the packet and records who modified it", async () => {
    const h = await withRemedyPr();
    const before = commits(h).length;
    await say(h, "/set 7");
    expect(commits(h)).toHaveLength(before + 1);
    expect(h.forge.fileAt(h.pr.head, FILE)).toContain("count: 7");
    expect(h.forge.fileAt("main", FILE)).toContain("count: 4"); // never the base
    const head = await h.forge.branchHead(h.pr.head);
    expect(h.policyRuns().at(-1)).toMatchObject({ headSha: head, conclusion: "success" });
    expect(parsePacket(h.pr.body)).toMatchObject({ before: "4", after: "7", revert: { value: "4" } });
    expect(h.pr.body).toContain("**Modified by @oncall** (`/set`): 6 → 7. Remedy planned 4 → 6.");
    expect((await ownPlan(h.deps, h.pr)).status).toBe("own");
    const updated = (await h.deps.audit.entries()).filter((e) => e.kind === "pr.updated").at(-1);
    expect(updated).toMatchObject({ actor: "oncall", sha: head, data: { via: "set", from: "6", to: "7" } });
    expect(h.forge.comments.at(-1)?.body).toContain("set the replicas to `7` (was `6`)");
    // The synchronize GitHub sends for Remedy's own commit finds the head already checked.
    expect(
      await onPullRequestHead(h.deps, { pr: h.pr.number, headSha: head ?? "", action: "synchronize" }),
    ).toEqual({ status: "already-checked" });
  });

  it.each([
    ["8; max_replicas: 1000", "is not a replica count"],
    ["99999999999999999999", "is not a replica count"],
    ["-3", "is not a replica count"],
    ["", "`/set` needs a value"],
  ])("an invalid value %j is refused with how to fix it, nothing written", async (value, said) => {
    const h = await withRemedyPr();
    const before = { commits: commits(h).length, body: h.pr.body };
    await say(h, `/set ${value}`);
    expect(commits(h)).toHaveLength(before.commits);
    expect(h.pr.body).toBe(before.body);
    expect(h.forge.comments.at(-1)?.body).toContain(said);
    expect(h.forge.comments.at(-1)?.body).toContain("Nothing was written.");
  });

  it("a value outside policy bounds is refused naming the rule, nothing written", async () => {
    const h = await withRemedyPr();
    const before = commits(h).length;
    await say(h, "/set 40");
    expect(commits(h)).toHaveLength(before);
    const reply = h.forge.comments.at(-1)?.body ?? "";
    expect(reply).toContain("policy refuses replicas `40`");
    expect(reply).toContain("| max_replicas | ❌ fail | 40 > max 30 |");
    expect(parsePacket(h.pr.body)?.after).toBe("6");
  });

  it("a /set hidden in an HTML comment does nothing; the value shown is the one used", async () => {
    const h = await withRemedyPr();
    const before = commits(h).length;
    await say(h, "Looks fine to me.\n<!--\n/set 30\n-->");
    expect(commits(h)).toHaveLength(before);
    await say(h, "/set 7 <!-- 30 -->");
    expect(h.forge.fileAt(h.pr.head, FILE)).toContain("count: 7");
  });

  it("a reader's /set is refused", async () => {
    const h = await withRemedyPr();
    const before = commits(h).length;
    await say(h, "/set 7", "visitor");
    expect(commits(h)).toHaveLength(before);
    expect(h.forge.comments.at(-1)?.body).toContain("needs write, maintain or admin permission");
  });

  it("a /set on a PR Remedy did not open only gets a reply", async () => {
    const h = await withRemedyPr();
    h.forge.seedCommit("people/scale", { [FILE]: "x: 1\n" }, "theirs", "2026-11-21T09:00:00Z", "oncall");
    const theirs = h.forge.seedPullRequest({
      head: "people/scale",
      labels: [],
      createdAt: "2026-11-21T09:00:00Z",
      body: h.pr.body, // even with a copied plan block
    });
    theirs.author = "oncall";
    const before = commits(h).length;
    await say(h, "/set 7", "oncall", theirs.number);
    expect(commits(h)).toHaveLength(before);
    expect(h.forge.comments.at(-1)?.body).toContain("`/set` changes the value of a PR Remedy opened");
  });

  it("a /set on a revert PR is refused: a revert restores exactly the value that ran before", async () => {
    const h = await withRemedyPr();
    h.forge.merge(h.pr.number);
    await say(h, "/rollback");
    const revert = h.forge.pullRequests.find((p) => p.labels.includes("remedy:revert"));
    if (revert === undefined) throw new Error("no revert PR");
    const before = commits(h).length;
    await say(h, "/set 9", "oncall", revert.number);
    expect(commits(h)).toHaveLength(before);
    expect(h.forge.comments.at(-1)?.body).toContain("a revert's value is not changed");
  });

  it("a /set on an incident issue only gets a reply", async () => {
    const h = await withRemedyPr();
    await onComment(h.deps, {
      number: h.issue.number,
      isPullRequest: false,
      body: "/set 7",
      author: "oncall",
      authorIsBot: false,
    });
    expect(h.forge.comments.at(-1)?.body).toContain("comment it on the PR");
  });
});

/**
 * The revert goes through the same publish path as a proposal: a revert branch Remedy did not write
 * is refused before any decision is recorded, and a PR creation that got no answer is read back
 * instead of opened twice.
 */
import { describe, expect, it } from "vitest";
import { openRevert } from "../../src/flows/open-revert.js";
import type { PullRequest } from "../../src/forge/forge.js";
import { parsePacket } from "../../src/proposal/approval-packet.js";
import type { Plan } from "../../src/proposal/plan.js";
import { FILE, withCount, withRemedyPr } from "./living-pr.helpers.js";

async function mergedRemedyPr() {
  const h = await withRemedyPr();
  const plan = parsePacket(h.pr.body) as Plan;
  const mergeSha = h.forge.merge(h.pr.number);
  const original = (await h.forge.getPullRequest(h.pr.number)) as PullRequest;
  const request = { original, plan, reason: "/rollback by @oncall", actor: "oncall" };
  return { ...h, plan, mergeSha, request, branch: `revert/${mergeSha}` };
}

describe("openRevert publishes through the one publish path", () => {
  it("refuses a revert branch someone else pushed, records no revert decision and opens nothing", async () => {
    const h = await mergedRemedyPr();
    const decisionsBefore = (await h.kinds()).filter((k) => k === "decision").length;
    // The branch name is predictable: a stranger pushes the "revert" first, with a value of their own.
    await h.forge.createBranch(h.branch, h.mergeSha);
    const onMain = (await h.forge.readFile(FILE, h.mergeSha)) as string;
    h.forge.pushAs("mallory", h.branch, { [FILE]: withCount(onMain, 1) }, "revert, trust me");

    const result = await openRevert(h.deps, h.request);

    expect(result.status).toBe("conflict");
    expect(result.status === "conflict" ? result.reason : "").toContain("cannot vouch for it");
    expect(result.status === "conflict" ? result.reason : "").toContain("@mallory");
    expect(h.forge.pullRequests.filter((pr) => pr.head === h.branch)).toHaveLength(0);
    const kinds = await h.kinds();
    expect(kinds).toContain("branch.refused");
    expect(kinds).not.toContain("revert.opened");
    expect(kinds.filter((k) => k === "decision")).toHaveLength(decisionsBefore);
    expect(h.forge.comments.some((c) => c.on === h.pr.number && c.body.includes("Revert not opened"))).toBe(
      true,
    );
  });

  it("reads back a PR whose creation got no answer, finishes it once, and reuses it on the next try", async () => {
    const h = await mergedRemedyPr();
    const open = h.forge.openPullRequest.bind(h.forge);
    let answered = 0;
    h.forge.openPullRequest = async (input) => {
      await open(input);
      answered++;
      throw new Error("502 Bad Gateway");
    };

    const first = await openRevert(h.deps, h.request);

    expect(answered).toBe(1);
    expect(first.status).toBe("opened");
    const reverts = h.forge.pullRequests.filter((pr) => pr.head === h.branch);
    expect(reverts).toHaveLength(1);
    expect(reverts[0]?.labels).toContain("remedy:revert");
    const revertPlan = parsePacket(reverts[0]?.body ?? "");
    expect(revertPlan).toMatchObject({ before: h.plan.after, after: h.plan.before });
    expect(await h.forge.readFile(FILE, reverts[0]?.head)).toBe(
      withCount((await h.forge.readFile(FILE, h.mergeSha)) as string, Number(h.plan.before)),
    );

    const again = await openRevert(h.deps, h.request);
    expect(again.status).toBe("reused");
    expect(h.forge.pullRequests.filter((pr) => pr.head === h.branch)).toHaveLength(1);
    expect((await h.kinds()).filter((k) => k === "revert.opened")).toHaveLength(1);
  });

  it("completes a revert PR whose finish failed (labels, check, ledger, comments) on the retry, once", async () => {
    const h = await mergedRemedyPr();
    const finish = h.forge.finishPullRequest.bind(h.forge);
    let failures = 1;
    h.forge.finishPullRequest = async (pr, input) => {
      if (failures-- > 0) throw new Error("502 Bad Gateway");
      return finish(pr, input);
    };

    await expect(openRevert(h.deps, h.request)).rejects.toThrow("502");
    const made = h.forge.pullRequests.filter((pr) => pr.head === h.branch);
    expect(made).toHaveLength(1);
    expect(made[0]?.labels ?? []).not.toContain("remedy:revert");
    expect(await h.kinds()).not.toContain("revert.opened");

    const again = await openRevert(h.deps, h.request);

    expect(again.status).toBe("reused");
    const revert = h.forge.pullRequests.filter((pr) => pr.head === h.branch);
    expect(revert).toHaveLength(1);
    expect(revert[0]?.labels).toEqual(expect.arrayContaining(["remedy", "remedy:revert", "env:prod"]));
    const headSha = (await h.forge.branchHead(h.branch)) as string;
    expect(h.policyRuns().filter((r) => r.headSha === headSha && r.conclusion === "success")).toHaveLength(1);
    const entries = await h.deps.audit.entries();
    const opened = entries.filter((e) => e.kind === "revert.opened" && e.pr === revert[0]?.number);
    expect(opened).toHaveLength(1);
    expect(opened[0]?.data).toMatchObject({ reverts: h.pr.number, restore: h.plan.before });
    expect(
      h.forge.comments.filter((c) => c.on === h.pr.number && c.body.includes("Remedy opened the revert")),
    ).toHaveLength(1);
    // The revert decision is recorded once: the retry does not decide again.
    expect(entries.filter((e) => e.kind === "decision" && e.data["decision"] === "revert")).toHaveLength(1);

    const third = await openRevert(h.deps, h.request);
    expect(third.status).toBe("reused");
    expect((await h.kinds()).filter((k) => k === "revert.opened")).toHaveLength(1);
    expect(h.policyRuns().filter((r) => r.headSha === headSha)).toHaveLength(1);
  });

  it("does not complete a half-made revert PR whose branch someone pushed to since", async () => {
    const h = await mergedRemedyPr();
    const finish = h.forge.finishPullRequest.bind(h.forge);
    let failures = 1;
    h.forge.finishPullRequest = async (pr, input) => {
      if (failures-- > 0) throw new Error("502 Bad Gateway");
      return finish(pr, input);
    };
    await expect(openRevert(h.deps, h.request)).rejects.toThrow("502");
    const onMain = (await h.forge.readFile(FILE, h.mergeSha)) as string;
    h.forge.pushAs("mallory", h.branch, { [FILE]: withCount(onMain, 1) }, "better revert");

    const again = await openRevert(h.deps, h.request);

    expect(again.status).toBe("conflict");
    expect(again.status === "conflict" ? again.reason : "").toContain("@mallory");
    const revert = h.forge.pullRequests.find((pr) => pr.head === h.branch);
    expect(revert?.labels ?? []).not.toContain("remedy:revert");
    expect(h.policyRuns().filter((r) => r.headSha === (revert?.head ?? ""))).toHaveLength(0);
    expect(await h.kinds()).not.toContain("revert.opened");
  });
});

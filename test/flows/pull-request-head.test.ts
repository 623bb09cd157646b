/** SPEC §2 "Push to a Remedy PR": every head is re-checked against the current base and policy. */
import { describe, expect, it } from "vitest";
import { onPullRequestHead } from "../../src/flows/on-pull-request-head.js";
import { ownPlan } from "../../src/flows/own-plan.js";
import { parsePacket } from "../../src/proposal/approval-packet.js";
import { FILE, withCount, withRemedyPr } from "./living-pr.helpers.js";

describe("re-check on every head", () => {
  it("a writer's push that keeps exactly the planned edit with another value passes, and the packet follows it", async () => {
    const h = await withRemedyPr();
    expect(parsePacket(h.pr.body)?.after).toBe("6");
    const branchText = h.forge.fileAt(h.pr.head, FILE) ?? "";
    const sha = h.forge.pushAs("oncall", h.pr.head, { [FILE]: withCount(branchText, 8) }, "8 is safer");
    const result = await onPullRequestHead(h.deps, { pr: h.pr.number, headSha: sha, action: "synchronize" });
    expect(result).toMatchObject({ status: "checked", conclusion: "success", value: "8", modified: true });
    const run = h.policyRuns().at(-1);
    expect(run).toMatchObject({ headSha: sha, conclusion: "success" });
    expect(run?.title).toContain("4 → 8 replicas");
    // The packet and the plan follow the branch; Remedy still vouches for its own (rewritten) block.
    const plan = parsePacket(h.pr.body);
    expect(plan).toMatchObject({ before: "4", after: "8", revert: { field: "replicas", value: "4" } });
    expect(h.pr.body).toContain(
      "**Modified by @oncall** (a push to the branch): 6 → 8. Remedy planned 4 → 6.",
    );
    expect(h.pr.body).toContain("| max_step | ✅ pass | step 4 (4 → 8) ≤ max 4 |");
    expect((await ownPlan(h.deps, h.pr)).status).toBe("own");
    const updated = (await h.deps.audit.entries()).filter((e) => e.kind === "pr.updated");
    expect(updated.at(-1)).toMatchObject({
      sha,
      actor: "oncall",
      data: { by: "oncall", via: "push", from: "6", to: "8" },
    });
  });

  it("a push outside policy fails remedy/policy on the new head and says which rule", async () => {
    const h = await withRemedyPr();
    const text = h.forge.fileAt(h.pr.head, FILE) ?? "";
    const sha = h.forge.pushAs("oncall", h.pr.head, { [FILE]: withCount(text, 30) }, "go big");
    const result = await onPullRequestHead(h.deps, { pr: h.pr.number, headSha: sha, action: "synchronize" });
    expect(result).toMatchObject({ status: "checked", conclusion: "failure", value: "30" });
    const run = h.policyRuns().at(-1);
    expect(run).toMatchObject({ headSha: sha, conclusion: "failure" });
    expect(run?.summary).toContain("policy refuses `30`: max_step — step 26 (4 → 30) > max 4");
  });

  it("a non-writer's push adding a workflow file fails, naming the file and the pusher", async () => {
    const h = await withRemedyPr();
    const sha = h.forge.pushAs(
      "visitor",
      h.pr.head,
      { ".github/workflows/steal.yml": "on: push\njobs: {}\n" },
      "ci tweak",
    );
    const result = await onPullRequestHead(h.deps, { pr: h.pr.number, headSha: sha, action: "synchronize" });
    expect(result).toMatchObject({ status: "checked", conclusion: "failure" });
    const summary = h.policyRuns().at(-1)?.summary ?? "";
    expect(summary).toContain("`.github/workflows/steal.yml`");
    expect(summary).toContain("@visitor, who has read permission");
    // The plan is not rewritten for a branch that holds more than the one edit.
    expect(parsePacket(h.pr.body)?.after).toBe("6");
  });

  it("a push that changes another field of the same file fails", async () => {
    const h = await withRemedyPr();
    const text = h.forge.fileAt(h.pr.head, FILE) ?? "";
    const sha = h.forge.pushAs(
      "oncall",
      h.pr.head,
      { [FILE]: text.replace('"1.4.2"', '"9.9.9"') },
      "tag too",
    );
    await onPullRequestHead(h.deps, { pr: h.pr.number, headSha: sha, action: "synchronize" });
    expect(h.policyRuns().at(-1)?.conclusion).toBe("failure");
    expect(h.policyRuns().at(-1)?.summary).toContain("it changes more in `" + FILE + "` than the replicas");
  });

  it("a person who edits the plan block and then pushes is refused, as on merge", async () => {
    const h = await withRemedyPr();
    h.pr.body = h.pr.body.replace(
      /"revert":\{"field":"replicas","value":"4"\}/,
      '"revert":{"field":"replicas","value":"30"}',
    );
    const edited = await onPullRequestHead(h.deps, {
      pr: h.pr.number,
      headSha: (await h.forge.branchHead(h.pr.head)) ?? "",
      action: "edited",
    });
    expect(edited.status).toBe("refused");
    const text = h.forge.fileAt(h.pr.head, FILE) ?? "";
    const sha = h.forge.pushAs("oncall", h.pr.head, { [FILE]: withCount(text, 8) }, "8");
    const result = await onPullRequestHead(h.deps, { pr: h.pr.number, headSha: sha, action: "synchronize" });
    expect(result.status).toBe("refused");
    expect(h.policyRuns().at(-1)).toMatchObject({ headSha: sha, conclusion: "failure" });
    expect(h.forge.comments.at(-1)?.body).toContain("Remedy will not pass this PR");
    expect(await h.kinds()).toContain("pr.refused");
    // Nothing Remedy wrote follows the edited block.
    expect(h.pr.body).not.toContain("Modified by");
  });

  it("a reopening re-checks without counting as a modification (no pr.updated)", async () => {
    const h = await withRemedyPr();
    const head = (await h.forge.branchHead(h.pr.head)) ?? "";
    const result = await onPullRequestHead(h.deps, { pr: h.pr.number, headSha: head, action: "reopened" });
    expect(result).toMatchObject({ status: "checked", conclusion: "success", modified: false });
    const kinds = await h.kinds();
    expect(kinds).not.toContain("pr.updated");
    expect(kinds.at(-1)).toBe("policy.rechecked");
  });

  it("a redelivered synchronize for a head already checked posts nothing new", async () => {
    const h = await withRemedyPr();
    const text = h.forge.fileAt(h.pr.head, FILE) ?? "";
    const sha = h.forge.pushAs("oncall", h.pr.head, { [FILE]: withCount(text, 7) }, "7");
    await onPullRequestHead(h.deps, { pr: h.pr.number, headSha: sha, action: "synchronize" });
    const runs = h.policyRuns().length;
    expect(await onPullRequestHead(h.deps, { pr: h.pr.number, headSha: sha, action: "synchronize" })).toEqual(
      {
        status: "already-checked",
      },
    );
    expect(h.policyRuns()).toHaveLength(runs);
  });
});

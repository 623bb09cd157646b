/**
 * The incident timeline under concurrent refreshes: two writers (a verification tick and a webhook)
 * each rebuild the section from the ledger; the one that read the older ledger must not leave its
 * stale section as the last word.
 */
import { describe, expect, it } from "vitest";
import { auditSteps } from "../../src/flows/audit-step.js";
import { refreshTimeline } from "../../src/flows/refresh-timeline.js";
import { withRemedyPr } from "./living-pr.helpers.js";

describe("refreshTimeline under a race", () => {
  it("a refresh that read the ledger before another writer's entry rewrites the section once more", async () => {
    const h = await withRemedyPr();
    const body = () => h.forge.issues.find((i) => i.number === h.issue.number)?.body ?? "";
    expect(body()).toContain("**Status: Mitigating**");
    const update = h.forge.updateIssueBody.bind(h.forge);
    let raced = false;
    h.forge.updateIssueBody = async (number, text) => {
      if (!raced) {
        raced = true;
        // While this write is in flight, the PR merges and the other writer refreshes first.
        await auditSteps(h.deps, [
          {
            kind: "pr.merged",
            incident: h.issue.number,
            pr: h.pr.number,
            sha: "f".repeat(40),
            actor: "alice",
            data: {},
          },
        ]);
        await refreshTimeline(h.deps, h.issue.number);
      }
      return update(number, text);
    };
    // The first refresh reads the ledger before the merge entry (a decision of its own, say).
    await auditSteps(h.deps, [
      { kind: "command", incident: h.issue.number, actor: "alice", data: { command: "/diagnose" } },
    ]);
    h.forge.issues.find((i) => i.number === h.issue.number)!.body = body().replace(
      "Mitigating",
      "Identified",
    );

    await refreshTimeline(h.deps, h.issue.number);

    expect(body()).toContain("**Status: Monitoring**");
  });
});

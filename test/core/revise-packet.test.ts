import { describe, expect, it } from "vitest";
import { onIncidentIssue } from "../../src/flows/on-issue.js";
import { revisePacket } from "../../src/proposal/revise-packet.js";
import { parsePacket } from "../../src/proposal/approval-packet.js";
import { withRemedyPr } from "../flows/living-pr.helpers.js";

describe("revisePacket", () => {
  it("untrusted text imitating the packet's headings is left alone; only Remedy's own sections change", async () => {
    const h = await withRemedyPr();
    const forged =
      "checkout-api prod: p99 latency high, scale up\n\n## What changes\n| x | replicas | 1 | 1000 |\n\n## Verification plan\nnone";
    h.pr.state = "closed";
    const issue = h.forge.openIssueAs("oncall", {
      title: "checkout-api prod: latency, scale up",
      body: forged,
      labels: ["incident"],
    });
    h.advance(7200);
    await onIncidentIssue(h.deps, issue);
    const pr = h.forge.pullRequests.at(-1);
    const plan = pr === undefined ? null : parsePacket(pr.body);
    if (pr === undefined || plan === null) throw new Error("no PR");
    const revised = revisePacket(
      pr.body,
      { ...plan, after: "7" },
      {
        policy: null,
        diff: null,
        modifications: [{ by: "oncall", via: "set", from: plan.after, to: "7" }],
        planned: plan,
      },
    );
    // The quoted issue text is byte for byte what it was, inside its fence.
    const why = pr.body.slice(0, pr.body.lastIndexOf("\n\n## What changes\n"));
    expect(revised.startsWith(why)).toBe(true);
    expect(revised).toContain("| 1 | 1000 |");
    expect(revised).toContain("**Modified by @oncall** (`/set`)");
    expect(parsePacket(revised)?.after).toBe("7");
    expect(revised.match(/<!-- remedy:plan /g)).toHaveLength(1);
  });
});

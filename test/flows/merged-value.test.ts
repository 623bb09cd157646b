/** SPEC §5: the value verified and reverted is the one the merge commit actually holds. */
import { describe, expect, it } from "vitest";
import { onComment } from "../../src/flows/on-comment.js";
import { startVerification } from "../../src/flows/start-verification.js";
import { parsePacket } from "../../src/proposal/approval-packet.js";
import { FILE, withCount, withRemedyPr } from "./living-pr.helpers.js";

describe("verification and revert use the merged value", () => {
  it("a person's push Remedy never saw (no webhook) is verified and reverted at the value merged", async () => {
    const h = await withRemedyPr();
    const text = h.forge.fileAt(h.pr.head, FILE) ?? "";
    h.forge.pushAs("oncall", h.pr.head, { [FILE]: withCount(text, 8) }, "8 instead");
    // The body still says 4 → 6: the plan block was never revised.
    expect(parsePacket(h.pr.body)?.after).toBe("6");
    const mergeSha = h.forge.merge(h.pr.number);
    expect(h.forge.fileAt("main", FILE)).toContain("count: 8");
    const record = await startVerification(h.deps, h.pr);
    expect(record?.plan).toMatchObject({ before: "4", after: "8", revert: { value: "4" } });
    const merged = (await h.deps.audit.entries()).find((e) => e.kind === "pr.merged");
    expect(merged).toMatchObject({ sha: mergeSha, data: { value: "8", planned: "6" } });
    expect(h.forge.checkRuns.find((r) => r.name === "remedy/verify")?.summary).toContain(
      "holds replicas `8`, not `6`",
    );

    await onComment(h.deps, {
      number: h.pr.number,
      isPullRequest: true,
      body: "/rollback",
      author: "oncall",
      authorIsBot: false,
    });
    const revert = h.forge.pullRequests.find((p) => p.labels.includes("remedy:revert"));
    if (revert === undefined) throw new Error(`no revert: ${h.forge.comments.at(-1)?.body}`);
    expect(parsePacket(revert.body)).toMatchObject({ before: "8", after: "4" });
    expect(h.forge.fileAt(revert.head, FILE)).toContain("count: 4");
  });

  it("a /set before merge is verified at the value set", async () => {
    const h = await withRemedyPr();
    await onComment(h.deps, {
      number: h.pr.number,
      isPullRequest: true,
      body: "/set 7",
      author: "oncall",
      authorIsBot: false,
    });
    h.forge.merge(h.pr.number);
    const record = await startVerification(h.deps, h.pr);
    expect(record?.plan).toMatchObject({ before: "4", after: "7" });
    const merged = (await h.deps.audit.entries()).find((e) => e.kind === "pr.merged");
    expect(merged?.data).toMatchObject({ value: "7" });
    expect(merged?.data.planned).toBeUndefined();
  });

  it("a squash merge of a branch with several commits lands all of them (in-memory forge)", async () => {
    const h = await withRemedyPr();
    h.forge.pushAs("oncall", h.pr.head, { "docs/notes.md": "why\n" }, "notes");
    h.forge.pushAs("oncall", h.pr.head, { [FILE]: withCount(h.forge.fileAt(h.pr.head, FILE) ?? "", 7) }, "7");
    h.forge.merge(h.pr.number);
    expect(h.forge.fileAt("main", "docs/notes.md")).toBe("why\n");
    expect(h.forge.fileAt("main", FILE)).toContain("count: 7");
  });
});

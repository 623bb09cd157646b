/** SPEC §2: a PR `/dry-run` reports the branch as it stands against the current base. */
import { describe, expect, it } from "vitest";
import { onComment } from "../../src/flows/on-comment.js";
import { FILE, withCount, withRemedyPr } from "./living-pr.helpers.js";

type H = Awaited<ReturnType<typeof withRemedyPr>>;
const dryRun = (h: H) =>
  onComment(h.deps, {
    number: h.pr.number,
    isPullRequest: true,
    body: "/dry-run",
    author: "oncall",
    authorIsBot: false,
  });

describe("PR /dry-run", () => {
  it("reports the value a person pushed, not the plan's, and writes nothing", async () => {
    const h = await withRemedyPr();
    const text = h.forge.fileAt(h.pr.head, FILE) ?? "";
    h.forge.pushAs("oncall", h.pr.head, { [FILE]: withCount(text, 30) }, "30");
    const writes = h.forge.writes.length;
    const body = h.pr.body;
    await dryRun(h);
    const reply = h.forge.comments.at(-1)?.body ?? "";
    expect(reply).toContain(
      "Change on the branch: scale checkout-api in prod from 4 to 30 replicas. (The plan said 4 → 6.)",
    );
    expect(reply).toContain("`remedy/policy` would fail on this head");
    expect(reply).toContain("max_step");
    expect(reply).toContain("Nothing was written.");
    expect(h.pr.body).toBe(body);
    expect(h.forge.writes.slice(writes).every((w) => w.kind === "comment")).toBe(true);
  });

  it("measures against the current base: a base that moved is the new `before`", async () => {
    const h = await withRemedyPr();
    h.forge.pushToBase({ [FILE]: withCount(h.forge.fileAt("main", FILE) ?? "", 5) }, "someone scaled to 5");
    await dryRun(h);
    const reply = h.forge.comments.at(-1)?.body ?? "";
    // Against the base as it is now, the branch's edit is 5 → 6, and policy judges that step.
    expect(reply).toContain("from 5 to 6 replicas. (The plan said 4 → 6.)");
    expect(reply).toContain("step 1 (5 → 6) ≤ max 4");
  });

  it("an untouched Remedy PR: would pass", async () => {
    const h = await withRemedyPr();
    await dryRun(h);
    const reply = h.forge.comments.at(-1)?.body ?? "";
    expect(reply).toContain("scale checkout-api in prod from 4 to 6 replicas.");
    expect(reply).toContain("`remedy/policy` would pass on this head.");
  });
});

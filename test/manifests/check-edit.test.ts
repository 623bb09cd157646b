import { describe, expect, it } from "vitest";
import { checkEdit } from "../../src/manifests/check-edit.js";
import { helm } from "./helpers.js";

// editField's safety net: an edit whose result does not prove itself is refused.
describe("checkEdit", () => {
  const before = "# c\nreplicaCount: 2\nimage:\n  tag: '1.0'\n";
  const expected = { path: ["replicaCount"], form: "count" as const, value: "3" };

  it("accepts exactly the intended one-line change", () => {
    expect(
      checkEdit(before, before.replace("2", "3"), helm(), "replicas", expected, { changedLine: 2 }),
    ).toMatchObject({ ok: true });
  });

  it("refuses a change that touches another line", () => {
    const after = before.replace("2", "3").replace("# c", "# changed");
    expect(checkEdit(before, after, helm(), "replicas", expected, { changedLine: 2 })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("more than line 2"),
    });
  });

  it("refuses a change that reads back differently or re-types the value", () => {
    expect(
      checkEdit(before, before.replace("2", "4"), helm(), "replicas", expected, { changedLine: 2 }),
    ).toMatchObject({ ok: false });
    const tag = { path: ["image", "tag"], form: "tag" as const, value: "1.10" };
    expect(
      checkEdit(before, before.replace("'1.0'", "1.10"), helm(), "image", tag, { changedLine: 4 }),
    ).toMatchObject({ ok: false });
  });

  it("refuses a change on the target line that alters a neighbour on the same line", () => {
    const flow = "image: { repository: r, tag: '1.0' }\n";
    const after = "image: { repository: s, tag: '1.1' }\n";
    const tag = { path: ["image", "tag"], form: "tag" as const, value: "1.1" };
    expect(checkEdit(flow, after, helm(), "image", tag, { changedLine: 1 })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("other values"),
    });
  });

  it("refuses an added entry that rewrites existing lines", () => {
    const k = { ...helm(), kind: "kustomize" as const, workload: "w" };
    const base = "resources: [a]\n";
    const after = "resources: [b]\nreplicas:\n  - name: w\n    count: 2\n";
    const path = ["replicas", { key: "name", equals: "w" }, "count"];
    expect(
      checkEdit(
        base,
        after,
        k,
        "replicas",
        { path, form: "count", value: "2" },
        { addedEntry: { name: "w", count: 2 } },
      ),
    ).toMatchObject({ ok: false });
  });
});

import { describe, expect, it } from "vitest";
import { unifiedDiff } from "../../src/manifests/index.js";

const lines = (n: number, change: Record<number, string> = {}): string =>
  Array.from({ length: n }, (_, i) => change[i + 1] ?? `line ${i + 1}`).join("\n") + "\n";

describe("unifiedDiff", () => {
  it("is empty for identical texts", () => {
    expect(unifiedDiff("f.yaml", "a: 1\n", "a: 1\n")).toBe("");
  });

  it("shows one change with 3 lines of context", () => {
    expect(unifiedDiff("dir/f.yaml", lines(10), lines(10, { 5: "five" }))).toBe(`--- a/dir/f.yaml
+++ b/dir/f.yaml
@@ -2,7 +2,7 @@
 line 2
 line 3
 line 4
-line 5
+five
 line 6
 line 7
 line 8
`);
  });

  it("clips context at the file's edges and omits a count of 1", () => {
    expect(unifiedDiff("f", "a\n", "b\n")).toBe("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n");
    expect(unifiedDiff("f", lines(3), lines(3, { 1: "one" }))).toBe(
      "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n-line 1\n+one\n line 2\n line 3\n",
    );
  });

  it("splits distant changes into hunks and merges close ones", () => {
    expect(unifiedDiff("f", lines(20), lines(20, { 2: "two", 18: "eighteen" }))).toBe(`--- a/f
+++ b/f
@@ -1,5 +1,5 @@
 line 1
-line 2
+two
 line 3
 line 4
 line 5
@@ -15,6 +15,6 @@
 line 15
 line 16
 line 17
-line 18
+eighteen
 line 19
 line 20
`);
    const merged = unifiedDiff("f", lines(20), lines(20, { 5: "five", 11: "eleven" }));
    expect(merged.match(/^@@/gm)).toHaveLength(1);
    expect(merged).toContain("@@ -2,13 +2,13 @@");
  });

  it("shows pure additions and deletions with git's empty-range numbering", () => {
    expect(unifiedDiff("f", "", "a\nb\n")).toBe("--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+a\n+b\n");
    expect(unifiedDiff("f", "a\nb\nc\n", "a\nc\n")).toBe("--- a/f\n+++ b/f\n@@ -1,3 +1,2 @@\n a\n-b\n c\n");
    expect(unifiedDiff("f", "x: 1\n", "x: 1\ny:\n  - 2\n")).toBe(
      "--- a/f\n+++ b/f\n@@ -1 +1,3 @@\n x: 1\n+y:\n+  - 2\n",
    );
  });

  it("marks a missing newline at the end of the file", () => {
    expect(unifiedDiff("f", "a\nb", "a\nc")).toBe(
      "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n",
    );
    expect(unifiedDiff("f", "a\nb", "a\nb\n")).toBe(
      "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
    );
  });

  it("takes the context size as a parameter", () => {
    expect(unifiedDiff("f", lines(10), lines(10, { 5: "five" }), 0)).toBe(
      "--- a/f\n+++ b/f\n@@ -5 +5 @@\n-line 5\n+five\n",
    );
    expect(unifiedDiff("f", lines(10), lines(10, { 5: "five" }), 1)).toBe(
      "--- a/f\n+++ b/f\n@@ -4,3 +4,3 @@\n line 4\n-line 5\n+five\n line 6\n",
    );
  });
});

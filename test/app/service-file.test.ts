import { describe, expect, it } from "vitest";
import { useRemedyApp } from "./app-test.js";
import { exampleRepository, FakeGitHub } from "./fake-github.js";
import { issueOpened } from "./harness.js";

const app = useRemedyApp();

/** The example repository with cart's prod target pointed at `file`, which holds a replicaCount. */
function githubWithCartAt(file: string): FakeGitHub {
  const files = exampleRepository();
  files[".github/remedy.yml"] = (files[".github/remedy.yml"] ?? "").replace(
    "file: manifests/cart/values-prod.yaml",
    `file: ${file}`,
  );
  files[file] = `${files[file] ?? ""}\nreplicaCount: 4\n`;
  return new FakeGitHub(files);
}

describe("a service's file pointing at Remedy's own rules", () => {
  it.each([".github/workflows/deploy.yml", "policies/10-prod.yaml", "runbooks/scale-on-saturation.yaml"])(
    "file: %s fails closed: no branch, no PR, a comment naming the service and environment",
    async (file) => {
      const h = await app.start({ github: githubWithCartAt(file) });
      const issue = h.github.addIssue({
        title: "cart prod is saturated, scale up",
        body: "CPU at 95% on every cart pod since 09:40.",
        labels: ["incident"],
        user: "alice",
      });
      await h.probot.receive({ id: "d-file", name: "issues", payload: issueOpened({ ...issue }) } as never);
      await h.runtime.idle();
      expect(h.github.pulls()).toEqual([]);
      expect([...h.github.refs.keys()].filter((ref) => ref.startsWith("remedy/"))).toEqual([]);
      const comments = h.github.commentsOn(issue.number).map((c) => c.body);
      expect(comments.join("\n")).toContain("Remedy cannot act");
      expect(comments.join("\n")).toContain(
        `services.cart.environments.prod.file must be a manifest outside .github/, runbooks/ and policies/ (got "${file}")`,
      );
      expect(h.github.issues.get(issue.number)?.labels).toContain("needs-human");
    },
  );
});

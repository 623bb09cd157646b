import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { useRemedyApp } from "./app-test.js";
import { INSTALLATION_ID, OWNER, REPO } from "./fake-github.js";
import { issueOpened, type Harness } from "./harness.js";

// The examples' JSON, as @octokit/webhooks-examples ships it.
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as Array<{
  name: string;
  examples: Array<Record<string, unknown>>;
}>;

const app = useRemedyApp();

const KUSTOMIZATION = "manifests/storefront/overlays/prod/kustomization.yaml";

/** GitHub's `push` example (a branch push), pointed at the fake repository, for `ref` and `after`. */
function pushed(ref: string, before: string, after: string, sender: string): Record<string, unknown> {
  const example = examples
    .find((d) => d.name === "push")
    ?.examples.find((e) => String(e.ref).startsWith("refs/heads/") && e.deleted === false);
  if (example === undefined) throw new Error("no push example");
  const payload = structuredClone(example);
  const repo = payload.repository as Record<string, unknown>;
  payload.repository = {
    ...repo,
    name: REPO,
    full_name: `${OWNER}/${REPO}`,
    default_branch: "main",
    master_branch: "main",
    owner: { ...(repo.owner as object), login: OWNER, name: OWNER },
  };
  payload.installation = { id: INSTALLATION_ID, node_id: "I_1" };
  payload.sender = {
    login: sender,
    id: sender.length,
    node_id: `U_${sender}`,
    type: "User",
    site_admin: false,
  };
  return { ...payload, ref, before, after };
}

async function remedyPr(h: Harness) {
  const issue = h.github.addIssue({
    title: "storefront prod: p99 latency high under traffic spike, scale to 8",
    body: "Checkout pages are slow since 09:50. Please scale up.",
    labels: ["incident"],
    user: "alice",
  });
  await app.receive("issues", "d-incident", issueOpened({ ...issue }));
  const pr = h.github.pulls()[0];
  if (pr?.pull === undefined) throw new Error("no Remedy PR");
  return { issue, pr, pull: pr.pull };
}

/** A person commits straight to main on the fake GitHub. */
function commitToMain(h: Harness, files: Record<string, string>, author: string) {
  const before = h.github.refs.get("main") as string;
  const after = h.github.commit(before, files, "a person's commit on main", author);
  h.github.refs.set("main", after);
  return { before, after };
}

function ledger(h: Harness): string {
  return h.github.file("ledger.jsonl", "remedy-audit") ?? "";
}

describe("a push to the default branch (Probot, webhooks-examples payload)", () => {
  it("that changes the PR's field: the edit is recomputed on the new base with a two-parent commit, re-checked and recorded", async () => {
    const h = await app.start();
    const { pr, pull } = await remedyPr(h);
    const oldHead = pull.headSha;
    const text = h.github.file(KUSTOMIZATION) ?? "";
    const planned = Number(/count: (\d+)/.exec(h.github.file(KUSTOMIZATION, pull.head) ?? "")?.[1]);
    const current = Number(/count: (\d+)/.exec(text)?.[1]);
    const moved = current + 1;
    expect(moved).not.toBe(planned);
    const { before, after } = commitToMain(
      h,
      { [KUSTOMIZATION]: text.replace(/count: \d+/, `count: ${moved}`), "docs/notes.md": "a note\n" },
      "alice",
    );
    await app.receive("push", "d-push-main", pushed("refs/heads/main", before, after, "alice"));

    const head = h.github.refs.get(pull.head) as string;
    expect(head).not.toBe(oldHead);
    // Not a force push: the old head is the first parent, the new base the second.
    expect(h.github.commits.get(head)?.parents).toEqual([oldHead, after]);
    expect(h.github.file(KUSTOMIZATION, head)).toContain(`count: ${planned}`);
    expect(h.github.file("docs/notes.md", head)).toBe("a note\n");
    const run = h.github.checkRuns.filter((r) => r.name === "remedy/policy" && r.head_sha === head);
    expect(run.map((r) => r.conclusion)).toEqual(["success"]);
    expect(pr.body).toContain(`"before":"${moved}"`);
    expect(ledger(h)).toContain('"via":"rebase"');
    expect(h.github.commentsOn(pr.number).at(-1)?.body).toContain("Recomputed on the new base");
  });

  it("that already holds the PR's value: remedy:stale, a draft, and the PR says it is moot", async () => {
    const h = await app.start();
    const { pr, pull } = await remedyPr(h);
    const oldHead = pull.headSha;
    const proposed = h.github.file(KUSTOMIZATION, pull.head) ?? "";
    const { before, after } = commitToMain(h, { [KUSTOMIZATION]: proposed }, "alice");
    await app.receive("push", "d-push-moot", pushed("refs/heads/main", before, after, "alice"));
    expect(pr.labels).toContain("remedy:stale");
    expect(pr.pull?.draft).toBe(true);
    expect(h.github.refs.get(pull.head)).toBe(oldHead);
    expect(h.github.commentsOn(pr.number).at(-1)?.body).toContain("is moot");
    expect(ledger(h)).toContain('"moot":true');
  });

  it("that changed another service's file leaves the PR exactly as it was", async () => {
    const h = await app.start();
    const { pr, pull } = await remedyPr(h);
    const comments = h.github.commentsOn(pr.number).length;
    const runs = h.github.checkRuns.length;
    const body = pr.body;
    const log = ledger(h);
    const { before, after } = commitToMain(
      h,
      { "manifests/cart/values-prod.yaml": "replicaCount: 12\n" },
      "alice",
    );
    await app.receive("push", "d-push-elsewhere", pushed("refs/heads/main", before, after, "alice"));
    expect(h.github.refs.get(pull.head)).toBe(pull.headSha);
    expect(pr.body).toBe(body);
    expect(h.github.commentsOn(pr.number)).toHaveLength(comments);
    expect(h.github.checkRuns).toHaveLength(runs);
    expect(ledger(h)).toBe(log);
  });

  it("a recomputation GitHub refuses is reported on the PR, with how to try again", async () => {
    const h = await app.start({ env: { REMEDY_RETRY_ATTEMPTS: "3", REMEDY_RETRY_BASE_MS: "5" } });
    const { pr, pull } = await remedyPr(h);
    const head = pull.headSha;
    const text = h.github.file(KUSTOMIZATION) ?? "";
    const { before, after } = commitToMain(
      h,
      { [KUSTOMIZATION]: text.replace(/count: \d+/, "count: 9") },
      "alice",
    );
    h.github.failures.push({ method: "POST", path: /\/git\/commits$/, status: 422, times: 99 });
    await app.receive("push", "d-push-422", pushed("refs/heads/main", before, after, "alice"));
    expect(h.github.refs.get(pull.head)).toBe(head);
    const report = h.github.commentsOn(pr.number).find((c) => c.body.includes("work-failed"));
    expect(report?.body).toContain("following a commit on `main`");
    expect(report?.body).toContain("HTTP 422");
    expect(report?.body).toContain("`/diagnose`");
  });

  it("ignores pushes to a tag or a branch named like the default one, and writes nothing", async () => {
    const h = await app.start();
    const { pr, pull } = await remedyPr(h);
    const text = h.github.file(KUSTOMIZATION) ?? "";
    const { before, after } = commitToMain(
      h,
      { [KUSTOMIZATION]: text.replace(/count: \d+/, "count: 9") },
      "alice",
    );
    const comments = h.github.commentsOn(pr.number).length;
    const runs = h.github.checkRuns.length;
    const log = ledger(h);
    for (const [i, ref] of [
      "refs/tags/main",
      "refs/heads/main-hotfix",
      "refs/heads/feature/main",
      `refs/heads/${pull.head}`,
    ].entries())
      await app.receive("push", `d-push-other-${i}`, pushed(ref, before, after, "alice"));
    // A deleted default branch is no base to follow either.
    await app.receive("push", "d-push-deleted", {
      ...pushed("refs/heads/main", before, after, "alice"),
      deleted: true,
    });
    expect(h.github.refs.get(pull.head)).toBe(pull.headSha);
    expect(h.github.commentsOn(pr.number)).toHaveLength(comments);
    expect(h.github.checkRuns).toHaveLength(runs);
    expect(ledger(h)).toBe(log);
  });

  it("writes nothing to a PR labelled remedy:paused", async () => {
    const h = await app.start();
    const { pr, pull } = await remedyPr(h);
    pr.labels.push("remedy:paused");
    const head = pull.headSha;
    const text = h.github.file(KUSTOMIZATION) ?? "";
    const { before, after } = commitToMain(
      h,
      { [KUSTOMIZATION]: text.replace(/count: \d+/, "count: 9") },
      "alice",
    );
    const comments = h.github.commentsOn(pr.number).length;
    const runs = h.github.checkRuns.length;
    await app.receive("push", "d-push-paused", pushed("refs/heads/main", before, after, "alice"));
    expect(h.github.refs.get(pull.head)).toBe(head);
    expect(h.github.commentsOn(pr.number)).toHaveLength(comments);
    expect(h.github.checkRuns).toHaveLength(runs);
    expect(pr.body).not.toContain('"before":"9"');
  });
});

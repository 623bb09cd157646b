/**
 * A Remedy PR a person changed, through Probot (issue #16 items 3 and 4): a PR `/dry-run` reports the
 * branch as it stands against the current base, and a merge is verified at the value the merge commit
 * holds, even when Remedy never saw the push that put it there (no `synchronize` delivered).
 */
import { describe, expect, it } from "vitest";
import { useRemedyApp } from "./app-test.js";
import { commentCreated, issueOpened, pullRequestMerged, type Harness } from "./harness.js";

const app = useRemedyApp();

const KUSTOMIZATION = "manifests/storefront/overlays/prod/kustomization.yaml";

/** A writer's incident and its Remedy PR; then `count` pushed to the branch with no webhook for it. */
async function prPushedTo(h: Harness, count: (planned: number) => number) {
  const issue = h.github.addIssue({
    title: "storefront prod: p99 latency high under traffic spike, scale to 8",
    body: "Checkout pages are slow since 09:50.",
    labels: ["incident"],
    user: "alice",
  });
  await app.receive("issues", "m-incident", issueOpened({ ...issue }));
  const pr = h.github.pulls()[0];
  if (pr?.pull === undefined) throw new Error("no Remedy PR");
  const text = h.github.file(KUSTOMIZATION, pr.pull.head) ?? "";
  const planned = Number(/count: (\d+)/.exec(text)?.[1]);
  const value = count(planned);
  const sha = h.github.commit(
    pr.pull.headSha,
    { [KUSTOMIZATION]: text.replace(/count: \d+/, `count: ${value}`) },
    "a person's push",
    "alice",
  );
  h.github.refs.set(pr.pull.head, sha);
  pr.pull.headSha = sha;
  return { pr, pull: pr.pull, planned, value };
}

/** Non-GET requests but GraphQL queries and the ledger's own commits on `remedy-audit`. */
function changeWrites(h: Harness): string[] {
  return h.github.requests
    .filter((r) => r.method !== "GET" && !/\/access_tokens$/.test(r.path))
    .filter((r) => {
      if (r.path !== "/graphql") return true;
      const body = r.body as { query?: string; variables?: { input?: { branch?: { branchName?: string } } } };
      return (
        /^\s*mutation/.test(body.query ?? "") && body.variables?.input?.branch?.branchName !== "remedy-audit"
      );
    })
    .map((r) => `${r.method} ${r.path}`);
}

describe("a PR a person changed, through the App", () => {
  it("PR /dry-run reports the value on the branch and what policy would say, and writes only its reply", async () => {
    const h = await app.start();
    const { pr, planned, value } = await prPushedTo(h, (planned) => planned + 20);
    const body = pr.body;
    const checks = h.github.checkRuns.length;
    const writes = changeWrites(h).length;
    await app.receive(
      "issue_comment",
      "m-dry-run",
      commentCreated({ issue: pr.number, body: "/dry-run", user: "alice", onPullRequest: true }),
    );
    const reply = h.github.commentsOn(pr.number).at(-1)?.body ?? "";
    expect(reply).toContain(`to ${value} replicas. (The plan said`);
    expect(reply).toContain(`→ ${planned}.)`);
    expect(reply).toContain("`remedy/policy` would fail on this head");
    expect(reply).toContain("max_step");
    expect(reply).toContain("Nothing was written.");
    expect(pr.body).toBe(body);
    expect(h.github.checkRuns).toHaveLength(checks);
    expect(changeWrites(h).slice(writes)).toEqual([`POST /repos/shop/gitops/issues/${pr.number}/comments`]);
  });

  it("a merge is verified at the merged commit's value, not the packet's, when the push was never seen", async () => {
    const h = await app.start();
    const { pr, pull, planned, value } = await prPushedTo(h, (planned) => planned + 1);
    expect(pr.body).toContain(`"after":"${planned}"`);
    const mergeSha = h.github.mergePullRequest(pr.number);
    await app.receive(
      "pull_request",
      "m-merged",
      pullRequestMerged({ number: pr.number, body: pr.body, head: pull.head, mergeSha, labels: pr.labels }),
    );
    const merged = (h.github.file("ledger.jsonl", "remedy-audit") ?? "")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { kind: string; sha: string | null; data: Record<string, unknown> })
      .find((e) => e.kind === "pr.merged");
    expect(merged).toMatchObject({ sha: mergeSha, data: { value: String(value), planned: String(planned) } });
    const verify = h.github.checkRuns.find((r) => r.name === "remedy/verify" && r.head_sha === mergeSha);
    expect(verify?.output.summary).toContain(`holds replicas \`${value}\`, not \`${planned}\``);
  });
});

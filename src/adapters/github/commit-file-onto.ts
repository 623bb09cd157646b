import type { CommitResult } from "../../forge/forge.js";
import type { BranchHeads } from "./github-branches.js";
import { normalize, type GitHubContext } from "./github-context.js";
import { messageOf, statusOf } from "./http-errors.js";
import { writeOrReadBack } from "./write-or-read-back.js";

/**
 * The forge port's `commitFileOnto` through the git data API: a tree of `onto` with the one file
 * replaced, a commit with the branch head and `onto` as parents (no author, committer or signature
 * given, so GitHub signs it as the App), and a ref update with `force: false`. GitHub refuses an
 * update that is not a fast-forward, so a branch that moved since `expectedHeadSha` is left alone:
 * Remedy never force-pushes (SPEC §1 invariant 1).
 */
export async function commitFileOnto(
  ctx: GitHubContext,
  reads: BranchHeads,
  input: {
    branch: string;
    expectedHeadSha: string;
    onto: string;
    path: string;
    content: string;
    message: string;
  },
): Promise<CommitResult> {
  if ((await reads.branchHead(input.branch)) !== input.expectedHeadSha)
    return { ok: false, reason: "stale-head" };
  const base = await ctx.octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
    ...ctx.r,
    commit_sha: input.onto,
  });
  const tree = await ctx.octokit.request("POST /repos/{owner}/{repo}/git/trees", {
    ...ctx.r,
    base_tree: base.data.tree.sha,
    tree: [{ path: normalize(input.path), mode: "100644", type: "blob", content: input.content }],
  });
  const commit = await ctx.octokit.request("POST /repos/{owner}/{repo}/git/commits", {
    ...ctx.r,
    message: input.message,
    tree: tree.data.sha,
    parents: [input.expectedHeadSha, input.onto],
  });
  const sha = commit.data.sha;
  const send = async (): Promise<CommitResult> => {
    try {
      await ctx.octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", {
        ...ctx.r,
        ref: `heads/${input.branch}`,
        sha,
        force: false,
      });
      return { ok: true, sha };
    } catch (error) {
      if (statusOf(error) === 422 && /fast.?forward/i.test(messageOf(error)))
        return { ok: false, reason: "stale-head" };
      throw error;
    }
  };
  return writeOrReadBack(ctx.log, send, {
    message: "ambiguous ref update; reconciled by reading",
    read: () => reads.branchHead(input.branch),
    describe: (head) => ({ branch: input.branch, found: head }),
    // The commit is made; only the ref update was in doubt. Our sha there means it landed.
    settle: async (head) =>
      head === sha
        ? { ok: true, sha }
        : head === input.expectedHeadSha
          ? send()
          : { ok: false, reason: "stale-head" },
  });
}

import type { CommitResult } from "../../forge/forge.js";
import { commitOnBranch } from "./commit-on-branch.js";
import { normalize, type GitHubContext } from "./github-context.js";
import { messageOf, statusOf } from "./http-errors.js";
import { writeOrReadBack } from "./write-or-read-back.js";

/** Where a reconciliation reads a branch's head. */
export interface BranchHeads {
  branchHead(branch: string): Promise<string | null>;
}

// Branch creation and the compare-and-swap commit of the forge port.

export async function createBranch(
  ctx: GitHubContext,
  reads: BranchHeads,
  branch: string,
  fromSha: string,
): Promise<"created" | "exists"> {
  const send = async (): Promise<"created" | "exists"> => {
    try {
      await ctx.octokit.request("POST /repos/{owner}/{repo}/git/refs", {
        ...ctx.r,
        ref: `refs/heads/${branch}`,
        sha: fromSha,
      });
      return "created";
    } catch (error) {
      if (statusOf(error) === 422 && /reference already exists/i.test(messageOf(error))) return "exists";
      throw error;
    }
  };
  return writeOrReadBack(ctx.log, send, {
    message: "ambiguous branch create; reconciled by reading",
    read: () => reads.branchHead(branch),
    describe: (head) => ({ branch, found: head }),
    // The POST may have landed. A branch at our start point is ours (or identical to ours: the
    // commit step's compare-and-swap sorts out a twin); one that moved on belongs to an earlier run.
    settle: (head) => (head === null ? null : head === fromSha ? "created" : "exists"),
  });
}

export async function commitFile(
  ctx: GitHubContext,
  reads: BranchHeads,
  input: {
    branch: string;
    expectedHeadSha: string;
    path: string;
    content: string;
    message: string;
  },
): Promise<CommitResult> {
  const send = (): Promise<CommitResult> =>
    commitOnBranch(ctx.octokit, {
      repo: ctx.repo,
      branch: input.branch,
      expectedHeadOid: input.expectedHeadSha,
      path: normalize(input.path),
      content: input.content,
      message: input.message,
    });
  return writeOrReadBack(ctx.log, send, {
    message: "ambiguous commit; reconciled by reading",
    read: () => reads.branchHead(input.branch),
    describe: (head) => ({ branch: input.branch, found: head }),
    settle: async (head) => {
      if (head === null) return null;
      // Nothing landed. Sending again is safe: expectedHeadOid makes the mutation at-most-once.
      if (head === input.expectedHeadSha) return send();
      // Either our commit landed or someone else's did; only ours has our parent and message.
      const commit = (
        await ctx.octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
          ...ctx.r,
          commit_sha: head,
        })
      ).data;
      const ours =
        commit.parents[0]?.sha === input.expectedHeadSha && commit.message.trim() === input.message.trim();
      return ours ? { ok: true, sha: head } : { ok: false, reason: "stale-head" };
    },
  });
}

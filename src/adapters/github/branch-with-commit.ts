import { splitMessage } from "./commit-on-branch.js";
import { normalize, type GitHubContext } from "./github-context.js";
import { BranchWithCommitAnswer, parseAnswer } from "./graphql-answers.js";

// GitHub runs a document's mutations one after the other, each on its own: a `createRef` that fails
// (the branch exists) leaves `createCommitOnBranch` to run anyway, and its `expectedHeadOid` is what
// keeps it to a branch still at the start point.
export const BRANCH_WITH_COMMIT = `mutation RemedyBranchCommit($ref: CreateRefInput!, $commit: CreateCommitOnBranchInput!) {
  createRef(input: $ref) { ref { name } }
  createCommitOnBranch(input: $commit) { commit { oid } }
}`;

interface GraphqlFailure {
  errors?: Array<{ path?: unknown[]; message?: string; type?: string }>;
  data?: unknown;
}

/**
 * The branch (the lock) and its one commit in one request: under Probot's write throttle every
 * GraphQL request and every write waits its own second, so this is one wait instead of two on the
 * way to a PR. Throws when the answer does not say what happened; the caller then reads.
 */
export async function createBranchWithCommit(
  ctx: GitHubContext,
  repositoryId: string,
  input: { branch: string; fromSha: string; path: string; content: string; message: string },
): Promise<{ branch: "created" | "exists"; sha: string | null }> {
  const { headline, body } = splitMessage(input.message);
  const variables = {
    ref: { repositoryId, name: `refs/heads/${input.branch}`, oid: input.fromSha },
    commit: {
      branch: { repositoryNameWithOwner: ctx.repo, branchName: input.branch },
      expectedHeadOid: input.fromSha,
      message: body === "" ? { headline } : { headline, body },
      fileChanges: {
        additions: [
          { path: normalize(input.path), contents: Buffer.from(input.content, "utf8").toString("base64") },
        ],
      },
    },
  };
  let answer: unknown;
  let errors: NonNullable<GraphqlFailure["errors"]> = [];
  try {
    answer = await ctx.octokit.graphql(BRANCH_WITH_COMMIT, variables);
  } catch (error) {
    const failure = error as GraphqlFailure | null;
    // Without GraphQL's own error list the request may or may not have run: the caller reads.
    if (!Array.isArray(failure?.errors) || failure.data === undefined || failure.data === null) throw error;
    errors = failure.errors;
    answer = failure.data;
  }
  const data = parseAnswer("RemedyBranchCommit", BranchWithCommitAnswer, answer);
  const refErrors = errors.filter((e) => e.path?.[0] === "createRef");
  const unexplained = errors.filter(
    (e) => e.path?.[0] !== "createRef" && e.path?.[0] !== "createCommitOnBranch",
  );
  if (unexplained.length > 0)
    throw new Error(`RemedyBranchCommit: ${unexplained.map((e) => e.message).join("; ")}`);
  const sha = data.createCommitOnBranch?.commit?.oid ?? null;
  let branch: "created" | "exists";
  if (data.createRef?.ref != null && refErrors.length === 0) branch = "created";
  // A commit on the branch whose creation failed: the branch was there already, at the start point.
  else if (sha !== null || refErrors.some((e) => /already exists/i.test(e.message ?? ""))) branch = "exists";
  else
    throw new Error(`createRef ${input.branch}: ${refErrors.map((e) => e.message).join("; ") || "no ref"}`);
  if (sha === null)
    ctx.log.info(
      {
        branch: input.branch,
        errors: errors.filter((e) => e.path?.[0] === "createCommitOnBranch").map((e) => e.message),
      },
      "branch taken without its commit; the commit is retried on its own",
    );
  return { branch, sha };
}

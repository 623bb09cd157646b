import type { Comparison, PullRequest } from "../../forge/forge.js";
import { pullRequestFromGraph } from "./from-graph.js";
import { pullRequestFromRest, type RestPull } from "./from-rest.js";
import { orNull, type GitHubContext } from "./github-context.js";
import {
  CONVERT_TO_DRAFT,
  DISABLE_AUTO_MERGE,
  ENABLE_AUTO_MERGE,
  MARK_READY,
  PAGE,
  REMEDY_PULLS,
} from "./graphql-documents.js";
import { parseAnswer, PullsAnswer, type GraphPull, type PullsData } from "./graphql-answers.js";
import { messageOf, statusOf } from "./http-errors.js";
import { writeOrReadBack } from "./write-or-read-back.js";

/** The REST pull-request fields Remedy maps, plus the node id GraphQL mutations need. */
interface RestPullWithNode extends RestPull {
  node_id: string;
}

// Pull requests of the forge port. Mapping a PR remembers its node id for the GraphQL mutations.

export async function findPullRequest(ctx: GitHubContext, head: string): Promise<PullRequest | null> {
  const { data } = await ctx.octokit.request("GET /repos/{owner}/{repo}/pulls", {
    ...ctx.r,
    head: `${ctx.owner}:${head}`,
    state: "all",
    per_page: PAGE,
  });
  const pulls = data.map((pull) => fromRest(ctx, pull));
  // Newest first already; an open one wins over an older closed one for the same branch.
  return pulls.find((pull) => pull.state === "open") ?? pulls[0] ?? null;
}

export async function getPullRequest(ctx: GitHubContext, number: number): Promise<PullRequest | null> {
  const response = await orNull(
    ctx.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...ctx.r,
      pull_number: number,
    }),
  );
  return response === null ? null : fromRest(ctx, response.data);
}

export async function openPullRequest(
  ctx: GitHubContext,
  input: { head: string; base: string; title: string; body: string; draft?: boolean },
): Promise<PullRequest> {
  const send = async (): Promise<PullRequest> => {
    const { data } = await ctx.octokit.request("POST /repos/{owner}/{repo}/pulls", {
      ...ctx.r,
      head: input.head,
      base: input.base,
      title: input.title,
      body: input.body,
      draft: input.draft ?? false,
    });
    return fromRest(ctx, data);
  };
  return writeOrReadBack(ctx.log, send, {
    message: "PR create failed or raced; reconciled by reading",
    alsoWhen: (error) => statusOf(error) === 422 && /pull request already exists/i.test(messageOf(error)),
    read: () => findPullRequest(ctx, input.head),
    describe: (found) => ({ head: input.head, pr: found?.number ?? null }),
    settle: (found) => (found === null || found.state !== "open" ? null : found),
  });
}

export async function updatePullRequestBody(
  ctx: GitHubContext,
  number: number,
  body: string,
  title?: string,
): Promise<void> {
  await ctx.octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
    ...ctx.r,
    pull_number: number,
    body,
    ...(title === undefined ? {} : { title }),
  });
}

export async function compare(ctx: GitHubContext, base: string, head: string): Promise<Comparison> {
  const { data } = await ctx.octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
    ...ctx.r,
    basehead: `${base}...${head}`,
    per_page: 100,
  });
  const files = data.files ?? [];
  return {
    files: [
      ...new Set(
        files.flatMap((file) =>
          file.previous_filename === undefined ? [file.filename] : [file.filename, file.previous_filename],
        ),
      ),
    ],
    commits: data.commits.map((c) => ({ sha: c.sha, author: c.author?.login ?? null })),
    // GitHub lists at most 250 commits and 300 files here; a longer comparison cannot be vouched for.
    truncated: data.total_commits > data.commits.length || files.length >= 300,
  };
}

export async function pullRequestFiles(ctx: GitHubContext, number: number): Promise<string[]> {
  const files = await ctx.octokit.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", {
    ...ctx.r,
    pull_number: number,
    per_page: PAGE,
  });
  // A rename changes both paths; both matter to /dry-run and /rollback.
  return [
    ...new Set(
      files.flatMap((file) =>
        file.previous_filename === undefined ? [file.filename] : [file.filename, file.previous_filename],
      ),
    ),
  ];
}

export async function listRemedyPullRequests(ctx: GitHubContext, since: string): Promise<PullRequest[]> {
  const pulls = new Map<number, PullRequest>();
  let after: string | null = null;
  for (;;) {
    const answer: unknown = await ctx.octokit.graphql(REMEDY_PULLS, {
      ...ctx.r,
      after,
      withOpen: after === null,
    });
    const data: PullsData = parseAnswer("RemedyPulls", PullsAnswer, answer);
    for (const node of data.repository?.open?.nodes ?? []) pulls.set(node.number, fromGraph(ctx, node));
    const page = data.repository?.recent;
    if (page === undefined) break;
    let older = false;
    for (const node of page.nodes) {
      if (node.createdAt < since) {
        older = true;
        break;
      }
      pulls.set(node.number, fromGraph(ctx, node));
    }
    if (older || !page.pageInfo.hasNextPage || page.pageInfo.endCursor === null) break;
    after = page.pageInfo.endCursor;
  }
  return [...pulls.values()].sort((a, b) => b.number - a.number);
}

export async function requestReviewers(
  ctx: GitHubContext,
  pr: number,
  reviewers: { users: string[]; teams: string[] },
): Promise<void> {
  if (reviewers.users.length === 0 && reviewers.teams.length === 0) return;
  if (await sendReviewRequest(ctx, pr, reviewers.users, reviewers.teams)) return;
  // GitHub refuses the whole request when one name is not a collaborator; ask for each one
  // separately so a single stale name in a runbook does not leave the PR without reviewers.
  if (reviewers.users.length + reviewers.teams.length === 1) return;
  for (const user of reviewers.users) await sendReviewRequest(ctx, pr, [user], []);
  for (const team of reviewers.teams) await sendReviewRequest(ctx, pr, [], [team]);
}

export async function setDraft(ctx: GitHubContext, pr: number, draft: boolean): Promise<void> {
  // Reading the PR records its node id as a side effect of mapping it.
  if (!ctx.nodeIds.has(pr)) await getPullRequest(ctx, pr);
  const id = ctx.nodeIds.get(pr);
  if (id === undefined) throw new Error(`PR #${pr} not found`);
  await ctx.octokit.graphql(draft ? CONVERT_TO_DRAFT : MARK_READY, { id });
}

export async function enableAutoMerge(ctx: GitHubContext, pr: number): Promise<void> {
  try {
    // Reading the PR records its node id as a side effect of mapping it.
    if (!ctx.nodeIds.has(pr)) await getPullRequest(ctx, pr);
    const id = ctx.nodeIds.get(pr);
    if (id === undefined) throw new Error(`PR #${pr} not found`);
    await ctx.octokit.graphql(ENABLE_AUTO_MERGE, { id });
  } catch (error) {
    // Auto-merge is a convenience (the repo may not allow it, or the PR is already clean): the
    // reviewers still merge by hand, so this never fails the flow.
    ctx.log.warn({ pr, error: messageOf(error) }, "could not enable auto-merge");
  }
}

/** Auto-merge off; a refusal (no auto-merge on it, no permission) is logged and answered false. */
export async function disableAutoMerge(ctx: GitHubContext, pr: number): Promise<boolean> {
  try {
    if (!ctx.nodeIds.has(pr)) await getPullRequest(ctx, pr);
    const id = ctx.nodeIds.get(pr);
    if (id === undefined) throw new Error(`PR #${pr} not found`);
    await ctx.octokit.graphql(DISABLE_AUTO_MERGE, { id });
    return true;
  } catch (error) {
    ctx.log.warn({ pr, error: messageOf(error) }, "could not disable auto-merge");
    return false;
  }
}

async function sendReviewRequest(
  ctx: GitHubContext,
  pr: number,
  users: string[],
  teams: string[],
): Promise<boolean> {
  try {
    await ctx.octokit.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", {
      ...ctx.r,
      pull_number: pr,
      reviewers: users,
      team_reviewers: teams,
    });
    return true;
  } catch (error) {
    if (statusOf(error) !== 422) throw error;
    ctx.log.warn({ pr, users, teams, error: messageOf(error) }, "review request refused; continuing");
    return false;
  }
}

function fromRest(ctx: GitHubContext, pull: RestPullWithNode): PullRequest {
  ctx.nodeIds.set(pull.number, pull.node_id);
  return pullRequestFromRest(pull);
}

function fromGraph(ctx: GitHubContext, node: GraphPull): PullRequest {
  ctx.nodeIds.set(node.number, node.id);
  return pullRequestFromGraph(node);
}

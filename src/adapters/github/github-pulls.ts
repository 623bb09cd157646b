import type { Comparison, PullRequest } from "../../forge/forge.js";
import { pullRequestFromRest, type RestPull } from "./from-rest.js";
import { orNull, type GitHubContext } from "./github-context.js";
import {
  CONVERT_TO_DRAFT,
  DISABLE_AUTO_MERGE,
  ENABLE_AUTO_MERGE,
  MARK_READY,
  OPEN_PULL_REQUEST,
  PAGE,
} from "./graphql-documents.js";
import {
  OpenPullRequestAnswer,
  parseAnswer,
  RestPullsAnswer,
  type OpenedPullRequest,
} from "./graphql-answers.js";
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

/**
 * Opens a PR through GraphQL's createPullRequest, not REST's POST /pulls: Probot's throttle spaces
 * both a second apart as writes, but REST's also waits 3 s in the "notifications" group of
 * content-creating requests, which ten incidents (an issue and a PR each) queue behind for a
 * minute. A refusal (GitHub answers HTTP 200 with `errors`) is thrown as Octokit's GraphQL error,
 * definite and permanent; "already exists" (a PR that raced us) and an ambiguous failure are read
 * back by head branch.
 */
export async function openPullRequest(
  ctx: GitHubContext,
  input: { head: string; base: string; title: string; body: string; draft?: boolean },
): Promise<PullRequest> {
  const repositoryId = await repositoryIdOf(ctx);
  const send = async (): Promise<PullRequest> => {
    const data = await ctx.octokit.graphql(OPEN_PULL_REQUEST, {
      input: {
        repositoryId,
        headRefName: input.head,
        baseRefName: input.base,
        title: input.title,
        body: input.body,
        draft: input.draft ?? false,
      },
    });
    const pull = parseAnswer("RemedyOpenPullRequest", OpenPullRequestAnswer, data).createPullRequest
      ?.pullRequest;
    if (pull === null || pull === undefined)
      throw new Error("GitHub answered createPullRequest without a pull request and without an error");
    return fromGraphql(ctx, pull);
  };
  return writeOrReadBack(ctx.log, send, {
    message: "PR create failed or raced; reconciled by reading",
    alsoWhen: (error) => /pull request already exists/i.test(messageOf(error)),
    read: () => findPullRequest(ctx, input.head),
    describe: (found) => ({ head: input.head, pr: found?.number ?? null }),
    settle: (found) => (found === null || found.state !== "open" ? null : found),
  });
}

/** The repository's node id, by a REST GET (reads are not spaced like writes), cached per process. */
export function repositoryIdOf(ctx: GitHubContext): Promise<string> {
  const known = ctx.cache.repositoryId(ctx.repo);
  if (known !== undefined) return Promise.resolve(known);
  const slot = ctx.repositoryId;
  slot.pending ??= ctx.octokit
    .request("GET /repos/{owner}/{repo}", ctx.r)
    .then(({ data }) => {
      ctx.cache.setRepositoryId(ctx.repo, data.node_id);
      ctx.cache.setDefaultBranch(ctx.repo, data.default_branch);
      return data.node_id;
    })
    .catch((error: unknown) => {
      slot.pending = null;
      throw error;
    });
  return slot.pending;
}

/**
 * The PR createPullRequest answered, as pullRequestFromRest maps it. GraphQL names an App by its
 * slug (`remedy`); REST, and so the botLogin every flow compares authors with, says `remedy[bot]`.
 */
function fromGraphql(ctx: GitHubContext, pull: OpenedPullRequest): PullRequest {
  ctx.nodeIds.set(pull.number, pull.id);
  const author = pull.author;
  const mergedAt = pull.mergedAt;
  return {
    number: pull.number,
    url: pull.url,
    title: pull.title,
    body: pull.body,
    head: pull.headRefName,
    base: pull.baseRefName,
    state: pull.state === "OPEN" ? "open" : "closed",
    merged: pull.merged,
    mergeSha: mergedAt === null ? null : (pull.mergeCommit?.oid ?? null),
    mergedAt,
    createdAt: pull.createdAt,
    labels: (pull.labels?.nodes ?? []).flatMap((label) => (label === null ? [] : [label.name])),
    draft: pull.isDraft,
    author: author === null ? "ghost" : author.__typename === "Bot" ? `${author.login}[bot]` : author.login,
  };
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

/**
 * Remedy's PRs: every open one, and the recent ones (newest first, stopping at the first created
 * before `since`). REST GETs, not one GraphQL query: Probot's write throttle spaces every GraphQL
 * request a second apart like a write, and this listing is on the way to every PR (twice: once to
 * plan, once under the target's lock), while GETs go out at once and side by side. REST has no
 * label filter, so the `remedy` label is checked here; each page is checked against RestPullsAnswer.
 */
export async function listRemedyPullRequests(ctx: GitHubContext, since: string): Promise<PullRequest[]> {
  const pulls = new Map<number, PullRequest>();
  const keep = (pull: RestPullWithNode): void => {
    if (!labelNames(pull).includes(REMEDY_LABEL)) return;
    pulls.set(pull.number, fromRest(ctx, pull));
  };
  await Promise.all([
    pagesOfPulls(ctx, "open", (page) => {
      for (const pull of page) if (pull.state === "open") keep(pull);
      return true;
    }),
    pagesOfPulls(ctx, "all", (page) => {
      for (const pull of page) {
        if (pull.created_at < since) return false;
        keep(pull);
      }
      return true;
    }),
  ]);
  return [...pulls.values()].sort((a, b) => b.number - a.number);
}

const REMEDY_LABEL = "remedy";
/** Pages of one listing read at most (100 PRs each): a bound on a repository of endless PRs. */
const MAX_PAGES = 10;

/** Pages of `GET /pulls?state=…`, newest first, until `more` says stop or a page is short. */
async function pagesOfPulls(
  ctx: GitHubContext,
  state: "open" | "all",
  more: (page: RestPullWithNode[]) => boolean,
): Promise<void> {
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await ctx.octokit.request("GET /repos/{owner}/{repo}/pulls", {
      ...ctx.r,
      state,
      sort: "created",
      direction: "desc",
      per_page: PAGE,
      page,
    });
    const pulls = parseAnswer(`GET /pulls?state=${state}`, RestPullsAnswer, data) as RestPullWithNode[];
    if (!more(pulls) || pulls.length < PAGE) return;
  }
}

function labelNames(pull: RestPull): string[] {
  return (pull.labels ?? []).flatMap((label) =>
    typeof label === "string" ? [label] : label.name === undefined ? [] : [label.name],
  );
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

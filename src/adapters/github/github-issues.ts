import type { Issue } from "../../forge/forge.js";
import { issueFromRest } from "./from-rest.js";
import { orNull, type GitHubContext } from "./github-context.js";
import { PAGE } from "./graphql-documents.js";
import { statusOf } from "./http-errors.js";
import { writeOrReadBack } from "./write-or-read-back.js";

// Issues, labels and comments of the forge port.

export async function getIssue(ctx: GitHubContext, number: number): Promise<Issue | null> {
  const response = await orNull(
    ctx.octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
      ...ctx.r,
      issue_number: number,
    }),
  );
  return response === null ? null : issueFromRest(response.data);
}

export async function createIssue(
  ctx: GitHubContext,
  input: { title: string; body: string; labels: string[] },
): Promise<Issue> {
  const send = async (): Promise<Issue> => {
    const { data } = await ctx.octokit.request("POST /repos/{owner}/{repo}/issues", {
      ...ctx.r,
      title: input.title,
      body: input.body,
      labels: input.labels,
    });
    return issueFromRest(data);
  };
  return writeOrReadBack(ctx.log, send, {
    message: "ambiguous issue create; reconciled by reading",
    read: async () => {
      // Only our own, newest, identical issue counts as the one that landed.
      const { data } = await ctx.octokit.request("GET /repos/{owner}/{repo}/issues", {
        ...ctx.r,
        creator: ctx.botLogin,
        state: "open",
        sort: "created",
        direction: "desc",
        per_page: 10,
        ...(input.labels.length === 0 ? {} : { labels: input.labels.join(",") }),
      });
      return data.find(
        (issue) =>
          issue.pull_request === undefined &&
          issue.title === input.title &&
          (issue.body ?? "") === input.body,
      );
    },
    describe: (found) => ({ issue: found?.number ?? null }),
    settle: (found) => (found === undefined ? null : issueFromRest(found)),
  });
}

export async function findIssue(ctx: GitHubContext, label: string, marker: string): Promise<Issue | null> {
  for await (const { data } of ctx.octokit.paginate.iterator("GET /repos/{owner}/{repo}/issues", {
    ...ctx.r,
    labels: label,
    state: "open",
    per_page: PAGE,
  })) {
    const found = data.find(
      (issue) => issue.pull_request === undefined && (issue.body ?? "").includes(marker),
    );
    if (found !== undefined) return issueFromRest(found);
  }
  return null;
}

export async function closeIssue(ctx: GitHubContext, number: number): Promise<void> {
  await ctx.octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
    ...ctx.r,
    issue_number: number,
    state: "closed",
    state_reason: "completed",
  });
}

export async function updateIssueBody(ctx: GitHubContext, number: number, body: string): Promise<void> {
  await ctx.octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
    ...ctx.r,
    issue_number: number,
    body,
  });
}

export async function addLabels(ctx: GitHubContext, issueOrPr: number, labels: string[]): Promise<void> {
  if (labels.length === 0) return;
  await ctx.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", {
    ...ctx.r,
    issue_number: issueOrPr,
    labels,
  });
}

export async function removeLabel(ctx: GitHubContext, issueOrPr: number, label: string): Promise<void> {
  try {
    await ctx.octokit.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", {
      ...ctx.r,
      issue_number: issueOrPr,
      name: label,
    });
  } catch (error) {
    // The label was not there: the state we wanted already holds.
    if (statusOf(error) !== 404) throw error;
  }
}

export async function comment(ctx: GitHubContext, issueOrPr: number, body: string): Promise<{ id: number }> {
  const since = new Date(Date.now() - 5 * 60_000).toISOString();
  const send = async (): Promise<{ id: number }> => {
    const { data } = await ctx.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...ctx.r,
      issue_number: issueOrPr,
      body,
    });
    return { id: Number(data.id) };
  };
  return writeOrReadBack(ctx.log, send, {
    message: "ambiguous comment; reconciled by reading",
    read: async () => {
      const { data } = await ctx.octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        ...ctx.r,
        issue_number: issueOrPr,
        since,
        per_page: PAGE,
      });
      return data.findLast((found) => found.user?.login === ctx.botLogin && found.body === body);
    },
    describe: (found) => ({ on: issueOrPr, comment: found?.id ?? null }),
    settle: (found) => (found === undefined ? null : { id: Number(found.id) }),
  });
}

export async function upsertComment(
  ctx: GitHubContext,
  issueOrPr: number,
  marker: string,
  body: string,
): Promise<{ id: number }> {
  const comments = await ctx.octokit.paginate("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
    ...ctx.r,
    issue_number: issueOrPr,
    per_page: PAGE,
  });
  // Only the bot's own comment: a person quoting the marker must not have their comment rewritten.
  const existing = comments.find(
    (comment) => comment.user?.login === ctx.botLogin && (comment.body ?? "").includes(marker),
  );
  if (existing === undefined) return comment(ctx, issueOrPr, body);
  if (existing.body !== body)
    await ctx.octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
      ...ctx.r,
      comment_id: existing.id,
      body,
    });
  return { id: Number(existing.id) };
}

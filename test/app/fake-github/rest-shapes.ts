import { GITHUB_API } from "../../helpers/github-api.js";
import { OWNER, REPO, type CommentRecord, type FakeGitHubState, type IssueRecord } from "./state.js";

// Records as GitHub's REST API answers them.

export function restPull(p: IssueRecord): unknown {
  return {
    id: p.number,
    node_id: `PR_${p.number}`,
    number: p.number,
    html_url: url(p.number, true),
    title: p.title,
    body: p.body,
    state: p.state,
    draft: p.pull?.draft ?? false,
    head: { ref: p.pull?.head, sha: p.pull?.headSha },
    base: { ref: p.pull?.base },
    merged_at: p.pull?.mergedAt ?? null,
    merge_commit_sha: p.pull?.mergeSha ?? null,
    created_at: p.createdAt,
    labels: p.labels.map((name) => ({ name })),
    user: { login: p.user, type: p.user.endsWith("[bot]") ? "Bot" : "User" },
  };
}

export function restIssue(i: IssueRecord): unknown {
  return {
    id: i.number,
    number: i.number,
    html_url: url(i.number, i.pull !== undefined),
    title: i.title,
    body: i.body,
    state: i.state,
    labels: i.labels.map((name) => ({ name })),
    user: { login: i.user, type: i.user.endsWith("[bot]") ? "Bot" : "User" },
    created_at: i.createdAt,
    ...(i.pull === undefined ? {} : { pull_request: { url: url(i.number, true) } }),
  };
}

export function restComment(c: CommentRecord): unknown {
  return {
    id: c.id,
    body: c.body,
    user: { login: c.user, type: c.user.endsWith("[bot]") ? "Bot" : "User" },
    html_url: `${url(c.issue, false)}#issuecomment-${c.id}`,
  };
}

/**
 * A commit as the commit lists (compare, a file's history) give it: `author` is the GitHub user it
 * is linked to (the fake links every commit to its author's login), the committer is GitHub's.
 */
export function restCommit(s: FakeGitHubState, sha: string): unknown {
  const commit = s.commits.get(sha);
  return {
    sha,
    node_id: `C_${sha}`,
    url: `${GITHUB_API}/repos/${OWNER}/${REPO}/commits/${sha}`,
    html_url: `https://github.com/${OWNER}/${REPO}/commit/${sha}`,
    comments_url: `${GITHUB_API}/repos/${OWNER}/${REPO}/commits/${sha}/comments`,
    commit: {
      url: `${GITHUB_API}/repos/${OWNER}/${REPO}/git/commits/${sha}`,
      message: commit?.message ?? "",
      comment_count: 0,
      tree: { sha: commit?.tree ?? "", url: "" },
      author: { name: commit?.author, email: "", date: commit?.date },
      committer: { name: "GitHub", email: "noreply@github.com", date: commit?.date },
    },
    author: {
      login: commit?.author,
      id: 1,
      type: commit?.author.endsWith("[bot]") === true ? "Bot" : "User",
    },
    committer: null,
    parents: (commit?.parents ?? []).map((p) => ({ sha: p, url: "" })),
  };
}

export function url(number: number, pull: boolean): string {
  return `https://github.com/${OWNER}/${REPO}/${pull ? "pull" : "issues"}/${number}`;
}

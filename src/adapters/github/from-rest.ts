import type { Issue, PullRequest } from "../../forge/forge.js";

/** The REST (and webhook payload) pull-request fields Remedy maps. */
export interface RestPull {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  head: { ref: string };
  base: { ref: string };
  state: string;
  merged_at?: string | null;
  merge_commit_sha?: string | null;
  created_at: string;
  labels?: Array<string | { name?: string }>;
  draft?: boolean;
  user: { login: string } | null;
}

/** The REST (and webhook payload) issue fields Remedy maps. */
export interface RestIssue {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  state?: string;
  labels?: Array<string | { name?: string }>;
  user: { login: string } | null;
  created_at: string;
}

/** One mapping for API responses and webhook payloads, so both paths see a PR the same way. */
export function pullRequestFromRest(pull: RestPull): PullRequest {
  const mergedAt = pull.merged_at ?? null;
  return {
    number: pull.number,
    url: pull.html_url,
    title: pull.title,
    body: pull.body ?? "",
    head: pull.head.ref,
    base: pull.base.ref,
    state: pull.state === "open" ? "open" : "closed",
    merged: mergedAt !== null,
    mergeSha: mergedAt === null ? null : (pull.merge_commit_sha ?? null),
    mergedAt,
    createdAt: pull.created_at,
    labels: labelNames(pull.labels),
    draft: pull.draft ?? false,
    author: pull.user?.login ?? "ghost",
  };
}

export function issueFromRest(issue: RestIssue): Issue {
  return {
    number: issue.number,
    url: issue.html_url,
    title: issue.title,
    body: issue.body ?? "",
    state: issue.state === "closed" ? "closed" : "open",
    labels: labelNames(issue.labels),
    author: issue.user?.login ?? "ghost",
    createdAt: issue.created_at,
  };
}

function labelNames(labels: RestPull["labels"]): string[] {
  return (labels ?? []).flatMap((label) =>
    typeof label === "string" ? [label] : label.name === undefined ? [] : [label.name],
  );
}

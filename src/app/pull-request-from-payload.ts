import type { PullRequest } from "../forge/forge.js";

export interface PullRequestPayload {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  head: { ref: string };
  base: { ref: string };
  state: string;
  merged?: boolean | null;
  merge_commit_sha?: string | null;
  merged_at?: string | null;
  created_at: string;
  labels?: Array<{ name: string }>;
  draft?: boolean;
  user: { login: string } | null;
}

/** The Forge view of a webhook's pull request: the packet is in its body, so no GET is needed. */
export function pullRequestFromPayload(pr: PullRequestPayload): PullRequest {
  return {
    number: pr.number,
    url: pr.html_url,
    title: pr.title,
    body: pr.body ?? "",
    head: pr.head.ref,
    base: pr.base.ref,
    state: pr.state === "closed" ? "closed" : "open",
    merged: pr.merged === true,
    mergeSha: pr.merge_commit_sha ?? null,
    mergedAt: pr.merged_at ?? null,
    createdAt: pr.created_at,
    labels: (pr.labels ?? []).map((label) => label.name),
    draft: pr.draft === true,
    author: pr.user?.login ?? "ghost",
  };
}

import type { Issue } from "../forge/forge.js";

export interface IssuePayload {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  state?: string;
  labels?: Array<{ name: string } | string>;
  user: { login: string } | null;
  created_at: string;
}

/** The Forge view of a webhook's issue, so the flow needs no extra GET. */
export function issueFromPayload(issue: IssuePayload): Issue {
  return {
    number: issue.number,
    url: issue.html_url,
    title: issue.title,
    body: issue.body ?? "",
    state: issue.state === "closed" ? "closed" : "open",
    labels: (issue.labels ?? []).map((label) => (typeof label === "string" ? label : label.name)),
    author: issue.user?.login ?? "ghost",
    createdAt: issue.created_at,
  };
}

import { createRequire } from "node:module";
import { INSTALLATION_ID, OWNER, REPO } from "./fake-github.js";

// The examples' JSON, as @octokit/webhooks-examples ships it.
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as Array<{
  name: string;
  examples: Array<Record<string, unknown>>;
}>;

function example(name: string, action: string): Record<string, unknown> {
  const found = examples.find((d) => d.name === name)?.examples.find((e) => e.action === action);
  if (found === undefined) throw new Error(`no ${name}.${action} example`);
  return structuredClone(found);
}

function pointAtFake(payload: Record<string, unknown>, sender: string): Record<string, unknown> {
  const repo = payload.repository as Record<string, unknown>;
  payload.repository = {
    ...repo,
    name: REPO,
    full_name: `${OWNER}/${REPO}`,
    owner: { ...(repo.owner as object), login: OWNER },
  };
  payload.installation = { id: INSTALLATION_ID, node_id: "I_1" };
  payload.sender = {
    login: sender,
    id: sender.length,
    node_id: `U_${sender}`,
    type: sender.endsWith("[bot]") ? "Bot" : "User",
    site_admin: false,
  };
  return payload;
}

export interface PullShape {
  number: number;
  body: string;
  head: string;
  headSha: string;
  user: string;
  labels: string[];
  state?: "open" | "closed";
  merged?: boolean;
}

function pullRequest(base: unknown, pr: PullShape): Record<string, unknown> {
  return {
    ...(base as object),
    number: pr.number,
    body: pr.body,
    state: pr.state ?? "open",
    merged: pr.merged ?? false,
    merged_at: null,
    merge_commit_sha: null,
    user: { login: pr.user, id: 1, node_id: "U_1", type: pr.user.endsWith("[bot]") ? "Bot" : "User" },
    head: { ...((base as { head: object }).head ?? {}), ref: pr.head, sha: pr.headSha },
    base: { ...((base as { base: object }).base ?? {}), ref: "main" },
    labels: pr.labels.map((name, id) => ({ id, name })),
  };
}

/** `pull_request.synchronize` (someone pushed to the branch), from the webhooks-examples shape. */
export function pullRequestSynchronize(
  pr: PullShape,
  sender: string,
  before: string,
): Record<string, unknown> {
  const payload = example("pull_request", "synchronize");
  payload.number = pr.number;
  payload.pull_request = pullRequest(payload.pull_request, pr);
  payload.before = before;
  payload.after = pr.headSha;
  return pointAtFake(payload, sender);
}

/** `pull_request.edited` with the body's previous text in `changes` (no example ships; same shape). */
export function pullRequestEdited(
  pr: PullShape,
  sender: string,
  previousBody: string,
): Record<string, unknown> {
  const payload = example("pull_request", "synchronize");
  delete payload.before;
  delete payload.after;
  payload.action = "edited";
  payload.number = pr.number;
  payload.pull_request = pullRequest(payload.pull_request, pr);
  payload.changes = { body: { from: previousBody } };
  return pointAtFake(payload, sender);
}

/** `pull_request.closed` without a merge: a rejection. */
export function pullRequestClosedUnmerged(pr: PullShape, sender: string): Record<string, unknown> {
  const payload = example("pull_request", "closed");
  payload.number = pr.number;
  payload.pull_request = pullRequest(payload.pull_request, { ...pr, state: "closed", merged: false });
  return pointAtFake(payload, sender);
}

/** `issues.closed` by a person (no closed example ships: the reopened one, closed, is the same shape). */
export function issueClosed(
  issue: { number: number; title: string; body: string; labels: string[]; user: string },
  sender: string,
): Record<string, unknown> {
  const payload = example("issues", "reopened");
  payload.action = "closed";
  payload.issue = {
    ...(payload.issue as object),
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: "closed",
    labels: issue.labels.map((name, id) => ({ id, name, color: "ededed", default: false })),
    user: { login: issue.user, id: 1, node_id: "U_1", type: "User" },
  };
  return pointAtFake(payload, sender);
}

/** `pull_request_review.submitted` or `.dismissed` on a PR, from the webhooks-examples shape. */
export function pullRequestReview(
  pr: PullShape,
  review: { id: number; reviewer: string; state: "approved" | "changes_requested" | "dismissed"; at: string },
): Record<string, unknown> {
  const payload = example("pull_request_review", review.state === "dismissed" ? "dismissed" : "submitted");
  payload.pull_request = pullRequest(payload.pull_request, pr);
  payload.review = {
    ...(payload.review as object),
    id: review.id,
    state: review.state,
    commit_id: pr.headSha,
    submitted_at: review.at,
    user: {
      login: review.reviewer,
      id: review.reviewer.length,
      node_id: `U_${review.reviewer}`,
      type: "User",
    },
  };
  return pointAtFake(payload, review.reviewer);
}

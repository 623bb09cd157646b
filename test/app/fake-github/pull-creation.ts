import type { GitHubRequest } from "../../helpers/github-api.js";

/**
 * Remedy opens PRs through GraphQL's createPullRequest (operation RemedyOpenPullRequest), so an
 * injected failure on PR creation matches that document: `failures.push({ ...PR_CREATION, status })`.
 */
export const PR_CREATION = { method: "POST", path: /^\/graphql$/, query: /\bRemedyOpenPullRequest\b/ };

/** The head branch a recorded request asks to open a PR from (GraphQL or REST), or null. */
export function pullCreationHead(request: GitHubRequest): string | null {
  if (request.method !== "POST") return null;
  const body = request.body as
    { head?: unknown; query?: unknown; variables?: { input?: { headRefName?: unknown } } } | undefined;
  if (request.path === "/graphql" && PR_CREATION.query.test(String(body?.query ?? "")))
    return String(body?.variables?.input?.headRefName);
  if (/\/pulls$/.test(request.path)) return String(body?.head);
  return null;
}

/** The recorded requests that ask to open a PR. */
export function pullCreations(requests: readonly GitHubRequest[]): GitHubRequest[] {
  return requests.filter((request) => pullCreationHead(request) !== null);
}

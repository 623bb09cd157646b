/**
 * The GraphQL documents the GitHub forge sends; the shapes of their answers are graphql-answers.ts.
 * Each is validated against GitHub's schema by the tests (test/helpers/github-api.ts), including the
 * generated ones.
 */

// GraphQL's page ceiling: no connection here asks for more per request.
export const PAGE = 100;

export const CONVERT_TO_DRAFT = `mutation RemedyConvertToDraft($id: ID!) {
  convertPullRequestToDraft(input: { pullRequestId: $id }) { clientMutationId }
}`;

export const MARK_READY = `mutation RemedyMarkReady($id: ID!) {
  markPullRequestReadyForReview(input: { pullRequestId: $id }) { clientMutationId }
}`;

export const ENABLE_AUTO_MERGE = `mutation RemedyAutoMerge($id: ID!) {
  enablePullRequestAutoMerge(input: { pullRequestId: $id }) { clientMutationId }
}`;

export const DISABLE_AUTO_MERGE = `mutation RemedyDisableAutoMerge($id: ID!) {
  disablePullRequestAutoMerge(input: { pullRequestId: $id }) { clientMutationId }
}`;

// A PR opened by GraphQL: Probot's throttle spaces it a second apart like every write, where REST's
// POST /pulls also waits 3 s in the "notifications" group of content-creating requests. The answer
// holds what the forge's PullRequest maps (from-graphql in github-pulls.ts) and the node id.
export const OPEN_PULL_REQUEST = `mutation RemedyOpenPullRequest($input: CreatePullRequestInput!) {
  createPullRequest(input: $input) {
    pullRequest {
      id
      number
      url
      title
      body
      headRefName
      baseRefName
      state
      merged
      mergedAt
      createdAt
      isDraft
      author { __typename login }
      labels(first: ${PAGE}) { nodes { name } }
      mergeCommit { oid }
    }
  }
}`;

export interface MutationPart {
  alias: string;
  field: string;
  type: string;
  input: unknown;
  select: string;
}

/** The node ids finishPullRequest needs, in one query; reviewers as aliases u0…, teams as t0… */
export function finishContextQuery(users: number, teams: number): string {
  const userVars = Array.from({ length: users }, (_, i) => `, $u${i}: String!`).join("");
  const teamVars = Array.from({ length: teams }, (_, i) => `, $t${i}: String!`).join("");
  const userFields = Array.from({ length: users }, (_, i) => `u${i}: user(login: $u${i}) { id }`).join(
    "\n  ",
  );
  const teamFields = Array.from({ length: teams }, (_, i) => `t${i}: team(slug: $t${i}) { id }`).join(" ");
  return `query RemedyFinishContext($owner: String!, $repo: String!, $issue: Int!, $withIssue: Boolean!, $withTeams: Boolean!${userVars}${teamVars}) {
  repository(owner: $owner, name: $repo) {
    id
    labels(first: ${PAGE}) { nodes { id name } }
    issue(number: $issue) @include(if: $withIssue) {
      id
      comments(last: ${PAGE}) { nodes { id body author { login } } }
    }
  }
  organization(login: $owner) @include(if: $withTeams) { ${teamFields || "id"} }
  ${userFields}
}`;
}

export function finishMutation(parts: MutationPart[]): string {
  const variables = parts.map((part) => `$${part.alias}: ${part.type}!`).join(", ");
  const fields = parts
    .map((part) => `${part.alias}: ${part.field}(input: $${part.alias}) { ${part.select} }`)
    .join("\n  ");
  return `mutation RemedyFinish(${variables}) {
  ${fields}
}`;
}

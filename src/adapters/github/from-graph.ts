import type { PullRequest } from "../../forge/forge.js";
import type { GraphPull } from "./graphql-answers.js";

/** A pull request as GraphQL answers it, in the forge's shape (the REST mapping is from-rest.ts). */
export function pullRequestFromGraph(node: GraphPull): PullRequest {
  return {
    number: node.number,
    url: node.url,
    title: node.title,
    body: node.body,
    head: node.headRefName,
    base: node.baseRefName,
    state: node.state === "OPEN" ? "open" : "closed",
    merged: node.merged,
    mergeSha: node.mergeCommit?.oid ?? null,
    mergedAt: node.mergedAt,
    createdAt: node.createdAt,
    labels: node.labels?.nodes.map((label) => label.name) ?? [],
    draft: node.isDraft,
    // GraphQL drops REST's "[bot]" suffix from App logins; restore it so both paths agree.
    author:
      node.author === null
        ? "ghost"
        : node.author.__typename === "Bot"
          ? `${node.author.login}[bot]`
          : node.author.login,
  };
}

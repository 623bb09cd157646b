import type { Protection } from "../../forge/forge.js";
import type { GitHubContext } from "./github-context.js";
import { PAGE } from "./graphql-documents.js";
import { messageOf, statusOf } from "./http-errors.js";

/**
 * What a branch requires before a PR merges: rulesets first (readable with Metadata), classic
 * protection only when no ruleset has a pull-request rule.
 */
export async function protection(ctx: GitHubContext, branch: string): Promise<Protection> {
  let rules;
  try {
    rules = await ctx.octokit.paginate("GET /repos/{owner}/{repo}/rules/branches/{branch}", {
      ...ctx.r,
      branch,
      per_page: PAGE,
    });
  } catch (error) {
    return {
      readable: false,
      requiredApprovals: 0,
      requiresCodeOwners: false,
      detail: `rules of ${branch} unreadable (${statusOf(error) ?? "network"}: ${messageOf(error)})`,
    };
  }
  let approvals = 0;
  let codeOwners = false;
  let pullRequestRules = 0;
  for (const rule of rules) {
    if (rule.type !== "pull_request" || !("parameters" in rule) || rule.parameters === undefined) continue;
    pullRequestRules++;
    approvals = Math.max(approvals, rule.parameters.required_approving_review_count);
    codeOwners ||= rule.parameters.require_code_owner_review;
  }
  if (pullRequestRules > 0) {
    return {
      readable: true,
      requiredApprovals: approvals,
      requiresCodeOwners: codeOwners,
      detail: `ok: ruleset requires ${approvals} approving review${approvals === 1 ? "" : "s"}${codeOwners ? " and code owner review" : ""}`,
    };
  }
  return classicProtection(ctx, branch);
}

async function classicProtection(ctx: GitHubContext, branch: string): Promise<Protection> {
  try {
    const { data } = await ctx.octokit.request("GET /repos/{owner}/{repo}/branches/{branch}/protection", {
      ...ctx.r,
      branch,
    });
    const reviews = data.required_pull_request_reviews;
    const approvals = reviews?.required_approving_review_count ?? 0;
    const codeOwners = reviews?.require_code_owner_reviews ?? false;
    return {
      readable: true,
      requiredApprovals: approvals,
      requiresCodeOwners: codeOwners,
      detail: `ok: classic branch protection requires ${approvals} approving review${approvals === 1 ? "" : "s"}${codeOwners ? " and code owner review" : ""}`,
    };
  } catch (error) {
    const status = statusOf(error);
    if (status === 404)
      return {
        readable: true,
        requiredApprovals: 0,
        requiresCodeOwners: false,
        detail: `ok: no ruleset or classic protection requires a review on ${branch}`,
      };
    // Classic protection needs Administration: read, which the App may rightly lack; the rules
    // endpoint was readable and shows no review rule, so report what is known: none.
    if (status === 403)
      return {
        readable: true,
        requiredApprovals: 0,
        requiresCodeOwners: false,
        detail: `ok: no ruleset requires a review on ${branch}; classic protection not readable (Administration: read not granted)`,
      };
    return {
      readable: false,
      requiredApprovals: 0,
      requiresCodeOwners: false,
      detail: `classic protection of ${branch} unreadable (${status ?? "network"}: ${messageOf(error)})`,
    };
  }
}

import type { Forge, FinishPullRequestInput, PullRequest } from "../../forge/forge.js";
import { output } from "./github-checks.js";
import type { GitHubContext } from "./github-context.js";
import { finishContextAnswer, parseAnswer } from "./graphql-answers.js";
import { finishContextQuery, finishMutation, type MutationPart } from "./graphql-documents.js";
import { isAmbiguous, statusOf } from "./http-errors.js";

/** The mutations finishPullRequest sends; each is also the alias GitHub names in its errors. */
type FinishPart = "labels" | "reviews" | "check" | "autoMerge" | "link";
const FINISH_PARTS: readonly FinishPart[] = ["labels", "reviews", "check", "autoMerge", "link"];

/** The forge's REST writes the finish falls back to, part by part. */
export type FinishByRest = Pick<
  Forge,
  "addLabels" | "requestReviewers" | "listCheckRuns" | "createCheckRun" | "enableAutoMerge" | "upsertComment"
>;

/**
 * Two requests instead of five or six: one query for the node ids the mutations take (labels,
 * reviewers, the incident issue and its link comment), then one document with every mutation.
 * GitHub runs a document's mutations one after another and reports each one's error on its own,
 * so a part that fails (a reviewer who is not a collaborator, a label that does not exist yet) is
 * sent again on its own through REST, which creates labels and asks reviewers one by one. After an
 * ambiguous failure nothing is assumed: every part goes through REST, whose writes are idempotent
 * here (the check run is looked up before it is created again).
 */
export async function finishPullRequest(
  ctx: GitHubContext,
  forge: FinishByRest,
  pr: PullRequest,
  input: FinishPullRequestInput,
): Promise<void> {
  const pullId = ctx.nodeIds.get(pr.number);
  // Nothing has been sent yet on these two paths, so REST starts from scratch.
  if (pullId === undefined) return finishByRest(forge, pr, input, new Set(FINISH_PARTS), false);
  const users = input.reviewers.users;
  const teams = input.reviewers.teams;
  const answer = await graphqlPartial(ctx, finishContextQuery(users.length, teams.length), {
    ...ctx.r,
    issue: input.link?.issue ?? 0,
    withIssue: input.link !== undefined,
    withTeams: teams.length > 0,
    ...Object.fromEntries(users.map((login, i) => [`u${i}`, login])),
    ...Object.fromEntries(teams.map((slug, i) => [`t${i}`, slug])),
  });
  const ids =
    answer === null
      ? null
      : parseAnswer("RemedyFinishContext", finishContextAnswer(users.length, teams.length), answer);
  const repository = ids?.repository ?? null;
  if (repository === null) return finishByRest(forge, pr, input, new Set(FINISH_PARTS), false);

  const known = new Map((repository.labels?.nodes ?? []).map((label) => [label.name, label.id]));
  const labelIds = input.labels.flatMap((name) => known.get(name) ?? []);
  const rest = new Set<FinishPart>();
  if (labelIds.length < input.labels.length) rest.add("labels");
  const userIds = users.map((_, i) => ids?.[`u${i}`]?.id ?? null);
  const teamIds = teams.map((_, i) => ids?.organization?.[`t${i}`]?.id ?? null);
  if ([...userIds, ...teamIds].includes(null)) rest.add("reviews");
  const bot = ctx.botLogin.replace(/\[bot\]$/, "");
  const link = input.link;
  const existing =
    link === undefined
      ? undefined
      : repository.issue?.comments.nodes.find((c) => c.author?.login === bot && c.body.includes(link.marker));
  if (link !== undefined && repository.issue == null) rest.add("link");

  const parts = mutationParts(input, rest, {
    pullId,
    repositoryId: repository.id,
    labelIds,
    userIds,
    teamIds,
    issueId: repository.issue?.id,
    existing,
  });

  try {
    await ctx.octokit.graphql(finishMutation(parts), {
      ...Object.fromEntries(parts.map((part) => [part.alias, part.input])),
    });
  } catch (error) {
    const failed = (error as { errors?: Array<{ path?: unknown[] }> } | null)?.errors;
    if (!Array.isArray(failed) && !isAmbiguous(error)) throw error;
    const refused = (failed ?? []).map((e) => FINISH_PARTS.find((part) => part === e.path?.[0]));
    // No answer, or an error tied to no one mutation: any part may have run, so all are redone.
    if (!Array.isArray(failed) || refused.includes(undefined)) {
      ctx.log.warn({ pr: pr.number, status: statusOf(error) ?? null }, "unclear finish; redone by REST");
      return finishByRest(forge, pr, input, new Set(FINISH_PARTS), true);
    }
    for (const part of refused) {
      // Auto-merge is best effort: a repository that does not allow it says so once, not twice.
      if (part === "autoMerge") ctx.log.warn({ pr: pr.number }, "could not enable auto-merge");
      else if (part !== undefined) rest.add(part);
    }
    ctx.log.warn({ pr: pr.number, parts: [...rest] }, "some PR updates refused; sending them by REST");
  }
  if (rest.size > 0) await finishByRest(forge, pr, input, rest, false);
}

/** The node ids the context query resolved, for the mutations that take them. */
interface FinishIds {
  pullId: string;
  repositoryId: string;
  labelIds: string[];
  userIds: Array<string | null>;
  teamIds: Array<string | null>;
  issueId: string | undefined;
  /** Remedy's link comment on the incident issue, when there is one already. */
  existing: { id: string; body: string } | undefined;
}

/** One aliased mutation per part still to send by GraphQL (those in `rest` go by REST). */
function mutationParts(
  input: FinishPullRequestInput,
  rest: ReadonlySet<FinishPart>,
  ids: FinishIds,
): Array<MutationPart & { alias: FinishPart }> {
  const parts: Array<MutationPart & { alias: FinishPart }> = [];
  const link = input.link;
  if (!rest.has("labels") && ids.labelIds.length > 0)
    parts.push({
      alias: "labels",
      field: "addLabelsToLabelable",
      type: "AddLabelsToLabelableInput",
      input: { labelableId: ids.pullId, labelIds: ids.labelIds },
      select: "clientMutationId",
    });
  if (!rest.has("reviews") && ids.userIds.length + ids.teamIds.length > 0)
    parts.push({
      alias: "reviews",
      field: "requestReviews",
      type: "RequestReviewsInput",
      input: { pullRequestId: ids.pullId, userIds: ids.userIds, teamIds: ids.teamIds, union: true },
      select: "clientMutationId",
    });
  const run = input.checkRun;
  parts.push({
    alias: "check",
    field: "createCheckRun",
    type: "CreateCheckRunInput",
    input: {
      repositoryId: ids.repositoryId,
      headSha: run.headSha,
      name: run.name,
      status: run.status.toUpperCase(),
      ...(run.conclusion === undefined ? {} : { conclusion: run.conclusion.toUpperCase() }),
      ...(run.externalId === undefined ? {} : { externalId: run.externalId }),
      output: output(run.title, run.summary, run.text),
    },
    select: "checkRun { databaseId }",
  });
  if (input.autoMerge)
    parts.push({
      alias: "autoMerge",
      field: "enablePullRequestAutoMerge",
      type: "EnablePullRequestAutoMergeInput",
      input: { pullRequestId: ids.pullId },
      select: "clientMutationId",
    });
  if (link !== undefined && !rest.has("link")) {
    if (ids.existing === undefined)
      parts.push({
        alias: "link",
        field: "addComment",
        type: "AddCommentInput",
        input: { subjectId: ids.issueId, body: link.body },
        select: "clientMutationId",
      });
    else if (ids.existing.body !== link.body)
      parts.push({
        alias: "link",
        field: "updateIssueComment",
        type: "UpdateIssueCommentInput",
        input: { id: ids.existing.id, body: link.body },
        select: "clientMutationId",
      });
  }
  return parts;
}

/**
 * The parts by REST. Labels, review requests, auto-merge and the upserted link are idempotent;
 * the check run is not, so when it may already exist (`checkFirst`) it is looked up first.
 */
async function finishByRest(
  forge: FinishByRest,
  pr: PullRequest,
  input: FinishPullRequestInput,
  parts: ReadonlySet<FinishPart>,
  checkFirst: boolean,
): Promise<void> {
  if (parts.has("labels")) await forge.addLabels(pr.number, input.labels);
  if (parts.has("reviews")) await forge.requestReviewers(pr.number, input.reviewers);
  if (parts.has("check")) {
    const run = input.checkRun;
    const landed =
      checkFirst && (await forge.listCheckRuns(run.headSha, run.name)).some((r) => r.title === run.title);
    if (!landed) await forge.createCheckRun(run);
  }
  if (input.autoMerge && parts.has("autoMerge")) await forge.enableAutoMerge(pr.number);
  if (input.link !== undefined && parts.has("link"))
    await forge.upsertComment(input.link.issue, input.link.marker, input.link.body);
}

/** A GraphQL answer with some fields in error still carries the rest; null fields stay null. */
async function graphqlPartial(
  ctx: GitHubContext,
  query: string,
  variables: Record<string, unknown>,
): Promise<unknown> {
  try {
    return await ctx.octokit.graphql(query, variables);
  } catch (error) {
    const data = (error as { data?: unknown } | null)?.data;
    if (Array.isArray((error as { errors?: unknown } | null)?.errors) && data !== undefined && data !== null)
      return data;
    throw error;
  }
}

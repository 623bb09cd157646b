import type { CheckRunInput } from "../../forge/forge.js";
import type { GitHubContext } from "./github-context.js";
import { PAGE } from "./graphql-documents.js";

// GitHub's hard cap on check-run output fields (and on issue, PR and comment bodies).
const MAX_OUTPUT = 65_535;

export async function createCheckRun(ctx: GitHubContext, input: CheckRunInput): Promise<{ id: number }> {
  const { data } = await ctx.octokit.request("POST /repos/{owner}/{repo}/check-runs", {
    ...ctx.r,
    name: input.name,
    head_sha: input.headSha,
    status: input.status,
    ...(input.conclusion === undefined ? {} : { conclusion: input.conclusion }),
    ...(input.externalId === undefined ? {} : { external_id: input.externalId }),
    output: output(input.title, input.summary, input.text),
  });
  return { id: Number(data.id) };
}

export async function updateCheckRun(
  ctx: GitHubContext,
  id: number,
  input: Partial<CheckRunInput>,
): Promise<void> {
  await ctx.octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
    ...ctx.r,
    check_run_id: id,
    ...(input.name === undefined ? {} : { name: input.name }),
    ...(input.status === undefined ? {} : { status: input.status }),
    ...(input.conclusion === undefined ? {} : { conclusion: input.conclusion }),
    ...(input.externalId === undefined ? {} : { external_id: input.externalId }),
    // GitHub's output object needs a summary; a title alone cannot be sent.
    ...(input.summary === undefined ? {} : { output: output(input.title, input.summary, input.text) }),
  });
}

export async function listCheckRuns(
  ctx: GitHubContext,
  headSha: string,
  name: string,
): Promise<Array<CheckRunInput & { id: number }>> {
  // filter=all: the default (latest) hides the earlier runs a restart may need to find.
  const { data } = await ctx.octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
    ...ctx.r,
    ref: headSha,
    check_name: name,
    filter: "all",
    per_page: PAGE,
  });
  return data.check_runs
    .filter((run) => run.name === name)
    .sort((a, b) => Number(b.id) - Number(a.id))
    .map((run) => ({
      id: Number(run.id),
      name: run.name,
      headSha: run.head_sha,
      status: run.status === "queued" || run.status === "in_progress" ? run.status : "completed",
      ...(run.conclusion === null ? {} : { conclusion: run.conclusion }),
      title: run.output.title ?? "",
      summary: run.output.summary ?? "",
      ...(run.output.text === null ? {} : { text: run.output.text }),
      ...(run.external_id === null ? {} : { externalId: run.external_id }),
    }));
}

/** A check run's output as GitHub takes it, each field capped at GitHub's limit. */
export function output(
  title: string | undefined,
  summary: string,
  text: string | undefined,
): { title: string; summary: string; text?: string } {
  return { title: title ?? "", summary: cap(summary), ...(text === undefined ? {} : { text: cap(text) }) };
}

function cap(text: string): string {
  const note = "\n\n… (truncated: GitHub caps this field at 65,535 characters)";
  return text.length <= MAX_OUTPUT ? text : text.slice(0, MAX_OUTPUT - note.length) + note;
}

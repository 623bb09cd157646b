import type { ProbotOctokit } from "probot";
import type { GitHubCache } from "./github-cache.js";
import { statusOf } from "./http-errors.js";

export type Octokit = InstanceType<typeof ProbotOctokit>;

/** Probot's pino logger fits this; so does the flows' Logger. */
export interface GitHubForgeLog {
  info(meta: Record<string, unknown>, message: string): void;
  warn(meta: Record<string, unknown>, message: string): void;
}

/** What every part of the GitHub forge shares: one repository through one installation's octokit. */
export interface GitHubContext {
  readonly octokit: Octokit;
  readonly owner: string;
  /** "owner/name" */
  readonly repo: string;
  /** The route parameters every request of this repository takes. */
  readonly r: { owner: string; repo: string };
  /** The App's login as REST reports it (`remedy[bot]`). */
  readonly botLogin: string;
  readonly log: GitHubForgeLog;
  readonly cache: GitHubCache;
  /** GraphQL mutations on a PR take its node id; the ids seen while mapping PRs save a lookup. */
  readonly nodeIds: Map<number, string>;
  /**
   * The repository's node id (createPullRequest takes it), read once per forge by a REST GET, which
   * the write throttle does not space; a failed read is forgotten so the next write asks again.
   */
  readonly repositoryId: { pending: Promise<string> | null };
}

export function normalize(path: string): string {
  return path.replace(/^\.?\/+/, "").replace(/\/+/g, "/");
}

/** A 404 is an answer (the thing is absent); anything else stays an error. */
export async function orNull<T>(request: Promise<T>): Promise<T | null> {
  try {
    return await request;
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

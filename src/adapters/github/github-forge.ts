import type { FileVersion } from "../../repo/repo-reader.js";
import type { Role } from "../../signals/role.js";
import type {
  CheckRunInput,
  CommitResult,
  Comparison,
  FinishPullRequestInput,
  Forge,
  Issue,
  Protection,
  PullRequest,
  TreeListing,
} from "../../forge/forge.js";
import { protection } from "./branch-protection.js";
import { finishPullRequest } from "./finish-pull-request.js";
import { commitFileOnto } from "./commit-file-onto.js";
import { createBranchWithCommit } from "./branch-with-commit.js";
import { commitFile, createBranch } from "./github-branches.js";
import { GitHubCache } from "./github-cache.js";
import { createCheckRun, listCheckRuns, updateCheckRun } from "./github-checks.js";
import type { GitHubContext, GitHubForgeLog, Octokit } from "./github-context.js";
import * as issues from "./github-issues.js";
import { GitHubLedgerBackend } from "./github-ledger-backend.js";
import { GitHubPermissions } from "./github-permission.js";
import * as pulls from "./github-pulls.js";
import { GitHubReads } from "./github-reads.js";

export type { GitHubForgeLog } from "./github-context.js";

export interface GitHubForgeOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  /** The App's login as REST reports it (`remedy[bot]`): upsertComment only edits its own comments. */
  botLogin: string;
  log?: GitHubForgeLog;
  /** Shared by every forge of one process; a private one when not given. */
  cache?: GitHubCache;
}

const silent: GitHubForgeLog = { info() {}, warn() {} };

/**
 * The forge port on GitHub through the installation's ProbotOctokit. Writes that fail ambiguously
 * (5xx or a dropped connection, after plugin-retry gave up) are reconciled by reading what landed,
 * never by posting again blind; compare-and-swap comes from `createCommitOnBranch`'s
 * `expectedHeadOid`. The default branch and permission lookups are cached per instance, which is
 * per webhook delivery in the App.
 */
export class GitHubForge implements Forge {
  readonly repo: string;
  readonly ledger: GitHubLedgerBackend;
  readonly #ctx: GitHubContext;
  readonly #reads: GitHubReads;
  readonly #permissions: GitHubPermissions;
  #requests = 0;

  constructor(options: GitHubForgeOptions) {
    const cache = options.cache ?? new GitHubCache();
    this.repo = `${options.owner}/${options.repo}`;
    this.#ctx = {
      octokit: options.octokit,
      owner: options.owner,
      repo: this.repo,
      r: { owner: options.owner, repo: options.repo },
      botLogin: options.botLogin,
      log: options.log ?? silent,
      cache,
      nodeIds: new Map(),
      repositoryId: { pending: null },
    };
    this.#reads = new GitHubReads(this.#ctx);
    this.#permissions = new GitHubPermissions(this.#ctx);
    this.ledger = new GitHubLedgerBackend(options.octokit, {
      owner: options.owner,
      repo: options.repo,
      cache,
    });
    // A hook sees every HTTP request this octokit makes, GraphQL and the ledger's included.
    options.octokit.hook.before("request", () => {
      this.#requests++;
    });
  }

  /** HTTP requests made through this forge's octokit so far (the API-economy benchmark reads it). */
  get requestCount(): number {
    return this.#requests;
  }

  // --- reads (github-reads.ts) -------------------------------------------------------------------

  defaultBranch(): Promise<string> {
    return this.#reads.defaultBranch();
  }

  branchHead(branch: string): Promise<string | null> {
    return this.#reads.branchHead(branch);
  }

  readFile(path: string, ref?: string): Promise<string | null> {
    return this.#reads.readFile(path, ref);
  }

  readFileIn(repo: string, path: string): Promise<string | null> {
    return this.#reads.readFileIn(repo, path);
  }

  listFiles(dir: string, ref?: string): Promise<string[]> {
    return this.#reads.listFiles(dir, ref);
  }

  listTree(ref: string): Promise<TreeListing> {
    return this.#reads.listTree(ref);
  }

  fileHistory(path: string, limit: number, ref?: string): Promise<FileVersion[]> {
    return this.#reads.fileHistory(path, limit, ref);
  }

  // --- branch and commit (github-branches.ts) ----------------------------------------------------

  createBranch(branch: string, fromSha: string): Promise<"created" | "exists"> {
    return createBranch(this.#ctx, this.#reads, branch, fromSha);
  }

  async createBranchWithCommit(input: {
    branch: string;
    fromSha: string;
    path: string;
    content: string;
    message: string;
  }): Promise<{ branch: "created" | "exists"; sha: string | null }> {
    return createBranchWithCommit(this.#ctx, await pulls.repositoryIdOf(this.#ctx), input);
  }

  commitFile(input: {
    branch: string;
    expectedHeadSha: string;
    path: string;
    content: string;
    message: string;
  }): Promise<CommitResult> {
    return commitFile(this.#ctx, this.#reads, input);
  }

  commitFileOnto(input: {
    branch: string;
    expectedHeadSha: string;
    onto: string;
    path: string;
    content: string;
    message: string;
  }): Promise<CommitResult> {
    return commitFileOnto(this.#ctx, this.#reads, input);
  }

  // --- pull requests (github-pulls.ts, finish-pull-request.ts) -----------------------------------

  findPullRequest(head: string): Promise<PullRequest | null> {
    return pulls.findPullRequest(this.#ctx, head);
  }

  getPullRequest(number: number): Promise<PullRequest | null> {
    return pulls.getPullRequest(this.#ctx, number);
  }

  openPullRequest(input: {
    head: string;
    base: string;
    title: string;
    body: string;
    draft?: boolean;
  }): Promise<PullRequest> {
    return pulls.openPullRequest(this.#ctx, input);
  }

  updatePullRequestBody(number: number, body: string, title?: string): Promise<void> {
    return pulls.updatePullRequestBody(this.#ctx, number, body, title);
  }

  compare(base: string, head: string): Promise<Comparison> {
    return pulls.compare(this.#ctx, base, head);
  }

  pullRequestFiles(number: number): Promise<string[]> {
    return pulls.pullRequestFiles(this.#ctx, number);
  }

  listRemedyPullRequests(since: string): Promise<PullRequest[]> {
    return pulls.listRemedyPullRequests(this.#ctx, since);
  }

  requestReviewers(pr: number, reviewers: { users: string[]; teams: string[] }): Promise<void> {
    return pulls.requestReviewers(this.#ctx, pr, reviewers);
  }

  setDraft(pr: number, draft: boolean): Promise<void> {
    return pulls.setDraft(this.#ctx, pr, draft);
  }

  enableAutoMerge(pr: number): Promise<void> {
    return pulls.enableAutoMerge(this.#ctx, pr);
  }

  disableAutoMerge(pr: number): Promise<boolean> {
    return pulls.disableAutoMerge(this.#ctx, pr);
  }

  finishPullRequest(pr: PullRequest, input: FinishPullRequestInput): Promise<void> {
    return finishPullRequest(this.#ctx, this, pr, input);
  }

  // --- issues and comments (github-issues.ts) ----------------------------------------------------

  getIssue(number: number): Promise<Issue | null> {
    return issues.getIssue(this.#ctx, number);
  }

  createIssue(input: { title: string; body: string; labels: string[] }): Promise<Issue> {
    return issues.createIssue(this.#ctx, input);
  }

  findIssue(label: string, marker: string): Promise<Issue | null> {
    return issues.findIssue(this.#ctx, label, marker);
  }

  closeIssue(number: number): Promise<void> {
    return issues.closeIssue(this.#ctx, number);
  }

  updateIssueBody(number: number, body: string): Promise<void> {
    return issues.updateIssueBody(this.#ctx, number, body);
  }

  addLabels(issueOrPr: number, labels: string[]): Promise<void> {
    return issues.addLabels(this.#ctx, issueOrPr, labels);
  }

  removeLabel(issueOrPr: number, label: string): Promise<void> {
    return issues.removeLabel(this.#ctx, issueOrPr, label);
  }

  comment(issueOrPr: number, body: string): Promise<{ id: number }> {
    return issues.comment(this.#ctx, issueOrPr, body);
  }

  upsertComment(issueOrPr: number, marker: string, body: string): Promise<{ id: number }> {
    return issues.upsertComment(this.#ctx, issueOrPr, marker, body);
  }

  // --- check runs (github-checks.ts) -------------------------------------------------------------

  createCheckRun(input: CheckRunInput): Promise<{ id: number }> {
    return createCheckRun(this.#ctx, input);
  }

  updateCheckRun(id: number, input: Partial<CheckRunInput>): Promise<void> {
    return updateCheckRun(this.#ctx, id, input);
  }

  listCheckRuns(headSha: string, name: string): Promise<Array<CheckRunInput & { id: number }>> {
    return listCheckRuns(this.#ctx, headSha, name);
  }

  // --- permission and protection (github-permission.ts, branch-protection.ts) --------------------

  permission(user: string): Promise<Role> {
    return this.#permissions.permission(user);
  }

  protection(branch: string): Promise<Protection> {
    return protection(this.#ctx, branch);
  }
}

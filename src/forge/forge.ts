import type { LedgerBackend } from "../audit/index.js";
import type { FileVersion } from "../repo/repo-reader.js";
import type { Role } from "../signals/role.js";

export interface PullRequest {
  number: number;
  url: string;
  title: string;
  body: string;
  head: string;
  base: string;
  state: "open" | "closed";
  merged: boolean;
  mergeSha: string | null;
  mergedAt: string | null;
  createdAt: string;
  labels: string[];
  draft: boolean;
  author: string;
}

export interface Issue {
  number: number;
  url: string;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: string[];
  author: string;
  createdAt: string;
}

export interface CheckRunInput {
  name: string;
  headSha: string;
  status: "queued" | "in_progress" | "completed";
  conclusion?: "success" | "failure" | "neutral" | "cancelled" | "skipped" | "timed_out" | "action_required";
  title: string;
  summary: string;
  text?: string;
  /** Machine-readable state kept on the check run so a restart can rebuild it (external_id). */
  externalId?: string;
}

export interface Protection {
  /** False when the rules could not be read (403 etc.): protection is unverified, never assumed. */
  readable: boolean;
  requiredApprovals: number;
  requiresCodeOwners: boolean;
  detail: string;
}

/** What follows opening a PR, in one call so an adapter can send it as one request. */
export interface FinishPullRequestInput {
  labels: string[];
  reviewers: { users: string[]; teams: string[] };
  checkRun: CheckRunInput;
  autoMerge: boolean;
  /** The incident issue's comment linking the PR: the one containing `marker` is updated, or one is made. */
  link?: { issue: number; marker: string; body: string };
}

/** How a branch differs from its base, as GitHub's compare view shows it. */
export interface Comparison {
  /** Paths that differ between the merge base and head (both paths of a rename). */
  files: string[];
  /** Commits on head since the merge base, oldest first; `author` is the login, null when unknown. */
  commits: Array<{ sha: string; author: string | null }>;
  /** True when the listing was cut short by the host (too many commits or files to trust it). */
  truncated: boolean;
}

export type CommitResult = { ok: true; sha: string } | { ok: false; reason: "stale-head" };

/**
 * Everything Remedy does to a repository host. The GitHub adapter and the in-memory forge (eval,
 * simulate, tests) implement it; flows see nothing else. Reads default to the base branch.
 */
export interface Forge {
  /** "owner/name" */
  readonly repo: string;
  defaultBranch(): Promise<string>;
  branchHead(branch: string): Promise<string | null>;
  readFile(path: string, ref?: string): Promise<string | null>;
  listFiles(dir: string, ref?: string): Promise<string[]>;
  /**
   * Every file path of a commit (`ref` a sha), for the onboarding PR's search for workloads;
   * `truncated` when the host cut the listing short (too many files to trust it).
   */
  listTree(ref: string): Promise<TreeListing>;
  /**
   * A file on the default branch of another repository (`owner/name`) the App can read, for
   * `_extends` in .github/remedy.yml; null when it does not exist or is not readable.
   */
  readFileIn?(repo: string, path: string): Promise<string | null>;
  /** Versions of a file that touched it, newest first, with the content at each. */
  fileHistory(path: string, limit: number, ref?: string): Promise<FileVersion[]>;

  /** Creating the branch is the lock: "exists" means another attempt got there first. */
  createBranch(branch: string, fromSha: string): Promise<"created" | "exists">;
  /**
   * The lock and the first commit in one request (GitHub: `createRef` then `createCommitOnBranch` in
   * one GraphQL document, run in order): `branch` says whether this call created the branch, `sha`
   * is the commit when it landed on `fromSha` (null when it did not: the branch had moved, or the
   * commit was refused). A branch that already existed at `fromSha` gets the commit too, exactly as
   * `commitFile` with `expectedHeadSha: fromSha` would have put it there. Throws when the answer is
   * unclear (no answer, 5xx): the caller reads what landed.
   */
  createBranchWithCommit(input: {
    branch: string;
    fromSha: string;
    path: string;
    content: string;
    message: string;
  }): Promise<{ branch: "created" | "exists"; sha: string | null }>;
  /** One commit on `branch`, compare-and-swap on its head (GitHub: createCommitOnBranch). */
  commitFile(input: {
    branch: string;
    expectedHeadSha: string;
    path: string;
    content: string;
    message: string;
  }): Promise<CommitResult>;

  /**
   * Brings `branch` onto `onto` (the base's new head) without force-pushing: one commit whose parents
   * are the branch head and `onto`, holding `onto`'s files with `path` set to `content`, so the
   * branch differs from `onto` by that one file. The branch moves to it only while its head is
   * still `expectedHeadSha` (a fast-forward, compare-and-swap); "stale-head" otherwise.
   */
  commitFileOnto(input: {
    branch: string;
    expectedHeadSha: string;
    onto: string;
    path: string;
    content: string;
    message: string;
  }): Promise<CommitResult>;

  findPullRequest(head: string): Promise<PullRequest | null>;
  getPullRequest(number: number): Promise<PullRequest | null>;
  openPullRequest(input: {
    head: string;
    base: string;
    title: string;
    body: string;
    draft?: boolean;
  }): Promise<PullRequest>;
  /** Rewrites the PR body; with `title`, the title too (one PATCH). */
  updatePullRequestBody(number: number, body: string, title?: string): Promise<void>;
  /** `head` against `base` (branch names or shas): what a PR from head would change, and who wrote it. */
  compare(base: string, head: string): Promise<Comparison>;
  /** Paths a PR changes (for `/dry-run` and `/rollback` on a person's PR). */
  pullRequestFiles(number: number): Promise<string[]>;
  /**
   * Remedy's PRs (label `remedy`): every open one, and those created since `since` in any state.
   * The rate limit counts the recent ones; the one-PR-per-field rule looks at the open ones.
   */
  listRemedyPullRequests(since: string): Promise<PullRequest[]>;
  requestReviewers(pr: number, reviewers: { users: string[]; teams: string[] }): Promise<void>;
  enableAutoMerge(pr: number): Promise<void>;
  /**
   * Turns auto-merge off (GitHub: GraphQL `disablePullRequestAutoMerge`): true when the host
   * accepted it, false when it refused (logged). Allowed in a paused scope: it makes the pause true.
   */
  disableAutoMerge(pr: number): Promise<boolean>;
  /**
   * Converts a PR to a draft (nothing, auto-merge included, can merge it) or marks it ready for
   * review again (GitHub: GraphQL `convertPullRequestToDraft` / `markPullRequestReadyForReview`).
   */
  setDraft(pr: number, draft: boolean): Promise<void>;
  /**
   * Labels, review requests, the policy check run, auto-merge and the incident link for a PR just
   * opened: the same as the separate calls, in any order. Auto-merge is best effort (the repository
   * may not allow it); everything else must land or throw.
   */
  finishPullRequest(pr: PullRequest, input: FinishPullRequestInput): Promise<void>;

  getIssue(number: number): Promise<Issue | null>;
  createIssue(input: { title: string; body: string; labels: string[] }): Promise<Issue>;
  /** Open issues with this label whose body contains `marker` (an HTML comment Remedy wrote). */
  findIssue(label: string, marker: string): Promise<Issue | null>;
  closeIssue(number: number): Promise<void>;
  /** Rewrites an issue's body (Remedy's own timeline section in it; see incident-timeline.ts). */
  updateIssueBody(number: number, body: string): Promise<void>;
  addLabels(issueOrPr: number, labels: string[]): Promise<void>;
  removeLabel(issueOrPr: number, label: string): Promise<void>;
  comment(issueOrPr: number, body: string): Promise<{ id: number }>;
  /** Updates the comment containing `marker` in place, or creates it. */
  upsertComment(issueOrPr: number, marker: string, body: string): Promise<{ id: number }>;

  createCheckRun(input: CheckRunInput): Promise<{ id: number }>;
  updateCheckRun(id: number, input: Partial<CheckRunInput>): Promise<void>;
  /** Check runs with this name on a commit, newest first. */
  listCheckRuns(headSha: string, name: string): Promise<Array<CheckRunInput & { id: number }>>;

  permission(user: string): Promise<Role>;
  protection(branch: string): Promise<Protection>;

  /** The audit ledger on branch `remedy-audit`, compare-and-swap. */
  readonly ledger: LedgerBackend;
}

/** Every file path of a commit; `sizes` (bytes per path) when the forge lists them, so a caller can skip big files unread. */
export interface TreeListing {
  paths: string[];
  truncated: boolean;
  sizes?: ReadonlyMap<string, number>;
}

import { createHash } from "node:crypto";
import { InMemoryLedgerBackend } from "../../audit/index.js";
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
} from "../forge.js";

interface Commit {
  sha: string;
  parent: string | null;
  at: string;
  message: string;
  files: ReadonlyMap<string, string>;
  /** Login of whoever wrote the commit: the bot for Remedy's own, a person's otherwise. */
  author?: string;
  pullRequest?: { number: number; author: string };
}

export interface Comment {
  id: number;
  on: number;
  body: string;
  author: string;
}

/** Everything the forge was asked to write, in order, so safety assertions can read it all. */
export type Write =
  | { kind: "commit"; branch: string; path: string; content: string; message: string }
  | { kind: "pr"; number: number; title: string; body: string }
  | { kind: "pr-body"; number: number; body: string }
  | { kind: "comment"; on: number; body: string }
  | { kind: "issue"; number: number; title: string; body: string };

export interface InMemoryForgeOptions {
  repo?: string;
  now: () => string;
  botLogin?: string;
  permissions?: Record<string, Role>;
  protection?: Protection;
  /** Other repositories' default-branch files (`owner/name` → path → text), for `_extends`. */
  otherRepos?: Record<string, Record<string, string>>;
}

/**
 * A repository host in memory: commits with full snapshots, branches, PRs, issues, comments, check
 * runs and the audit ledger. `remedy eval`, `remedy simulate` and the flow tests run against it.
 */
export class InMemoryForge implements Forge {
  readonly repo: string;
  readonly #otherRepos: Record<string, Record<string, string>>;
  readonly ledger = new InMemoryLedgerBackend();
  readonly writes: Write[] = [];
  readonly pullRequests: PullRequest[] = [];
  readonly issues: Issue[] = [];
  readonly comments: Comment[] = [];
  readonly checkRuns: Array<CheckRunInput & { id: number }> = [];
  readonly reviewRequests = new Map<number, { users: string[]; teams: string[] }>();
  readonly autoMerge = new Set<number>();
  private readonly commits = new Map<string, Commit>();
  private readonly branches = new Map<string, string>();
  private readonly now: () => string;
  private readonly botLogin: string;
  private nextNumber = 1;
  private nextId = 1;
  permissions: Record<string, Role>;
  protectionState: Protection;

  constructor(options: InMemoryForgeOptions) {
    this.repo = options.repo ?? "acme/gitops";
    this.#otherRepos = options.otherRepos ?? {};
    this.now = options.now;
    this.botLogin = options.botLogin ?? "remedy[bot]";
    this.permissions = options.permissions ?? {};
    this.protectionState = options.protection ?? {
      readable: true,
      requiredApprovals: 1,
      requiresCodeOwners: false,
      detail: "ok: 1 required approving review (in-memory forge)",
    };
  }

  /** Adds a commit on a branch (creating the branch): how a scenario lays down the repository. */
  seedCommit(
    branch: string,
    files: Record<string, string | null>,
    message: string,
    at: string,
    author?: string,
  ): string {
    const parentSha = this.branches.get(branch) ?? null;
    const snapshot = new Map(parentSha === null ? [] : (this.commits.get(parentSha)?.files ?? []));
    for (const [path, content] of Object.entries(files)) {
      if (content === null) snapshot.delete(path);
      else snapshot.set(path, content);
    }
    return this.addCommit(branch, parentSha, snapshot, message, at, author === undefined ? {} : { author });
  }

  /** A person (or anyone but Remedy) pushes one commit to a branch, e.g. to Remedy's PR branch. */
  pushAs(author: string, branch: string, files: Record<string, string | null>, message: string): string {
    if (!this.branches.has(branch)) throw new Error(`no branch ${branch}`);
    return this.seedCommit(branch, files, message, this.now(), author);
  }

  seedPullRequest(input: {
    head: string;
    labels: string[];
    createdAt: string;
    body?: string;
    title?: string;
  }): PullRequest {
    const pr = this.newPullRequest(
      { head: input.head, base: "main", title: input.title ?? input.head, body: input.body ?? "" },
      input.createdAt,
    );
    pr.labels.push(...input.labels);
    return pr;
  }

  /** Plays the reviewer: squash-merges a PR onto its base. Remedy itself never calls this. */
  merge(number: number): string {
    const pr = this.mustPullRequest(number);
    if (pr.state !== "open") throw new Error(`PR #${number} is not open`);
    const head = this.commitAt(pr.head);
    const base = this.commitAt(pr.base);
    // Everything the branch changed since it left the base, over however many commits.
    const onBase = new Set<string>();
    for (let c: Commit | undefined = base; c !== undefined; c = this.parentOf(c)) onBase.add(c.sha);
    let forkPoint: Commit | undefined = head;
    while (forkPoint !== undefined && !onBase.has(forkPoint.sha)) forkPoint = this.parentOf(forkPoint);
    const snapshot = new Map(base.files);
    for (const [path, content] of head.files)
      if (forkPoint?.files.get(path) !== content) snapshot.set(path, content);
    // A squash merge is authored by the PR's author, as on GitHub.
    const sha = this.addCommit(pr.base, base.sha, snapshot, `${pr.title} (#${pr.number})`, this.now(), {
      author: pr.author,
      pullRequest: { number: pr.number, author: pr.author },
    });
    Object.assign(pr, { state: "closed", merged: true, mergeSha: sha, mergedAt: this.now() });
    return sha;
  }

  /** A person edits the base branch directly (for conflict scenarios). */
  pushToBase(files: Record<string, string>, message: string, author?: string): string {
    return this.seedCommit("main", files, message, this.now(), author);
  }

  async defaultBranch(): Promise<string> {
    return "main";
  }

  async branchHead(branch: string): Promise<string | null> {
    return this.branches.get(branch) ?? null;
  }

  async readFile(path: string, ref?: string): Promise<string | null> {
    return this.resolve(ref)?.files.get(normalize(path)) ?? null;
  }

  async readFileIn(repo: string, path: string): Promise<string | null> {
    if (repo.toLowerCase() === this.repo.toLowerCase()) return this.readFile(path);
    return this.#otherRepos[repo]?.[normalize(path)] ?? null;
  }

  async listFiles(dir: string, ref?: string): Promise<string[]> {
    const prefix = normalize(dir).replace(/\/?$/, "/");
    const files = [...(this.resolve(ref)?.files.keys() ?? [])].filter(
      (p) => p.startsWith(prefix) && !p.slice(prefix.length).includes("/"),
    );
    return files.sort();
  }

  async fileHistory(path: string, limit: number, ref?: string): Promise<FileVersion[]> {
    const versions: FileVersion[] = [];
    for (
      let commit = this.resolve(ref);
      commit !== undefined && versions.length < limit;
      commit = commit.parent === null ? undefined : this.commits.get(commit.parent)
    ) {
      const parent = commit.parent === null ? undefined : this.commits.get(commit.parent);
      const content = commit.files.get(path) ?? null;
      if (content !== (parent?.files.get(path) ?? null))
        versions.push({
          sha: commit.sha,
          at: commit.at,
          message: commit.message,
          content,
          ...(commit.author === undefined ? {} : { author: commit.author }),
          ...(commit.pullRequest === undefined ? {} : { pullRequest: { ...commit.pullRequest } }),
        });
    }
    return versions;
  }

  async createBranch(branch: string, fromSha: string): Promise<"created" | "exists"> {
    if (this.branches.has(branch)) return "exists";
    if (!this.commits.has(fromSha)) throw new Error(`no commit ${fromSha}`);
    this.branches.set(branch, fromSha);
    return "created";
  }

  async commitFile(input: {
    branch: string;
    expectedHeadSha: string;
    path: string;
    content: string;
    message: string;
  }): Promise<CommitResult> {
    const head = this.branches.get(input.branch);
    if (head === undefined) throw new Error(`no branch ${input.branch}`);
    if (head !== input.expectedHeadSha) return { ok: false, reason: "stale-head" };
    this.writes.push({
      kind: "commit",
      branch: input.branch,
      path: input.path,
      content: input.content,
      message: input.message,
    });
    const snapshot = new Map(this.commitAt(head).files);
    snapshot.set(input.path, input.content);
    return {
      ok: true,
      sha: this.addCommit(input.branch, head, snapshot, input.message, this.now(), { author: this.botLogin }),
    };
  }

  async findPullRequest(head: string): Promise<PullRequest | null> {
    return this.pullRequests.find((pr) => pr.head === head) ?? null;
  }

  async getPullRequest(number: number): Promise<PullRequest | null> {
    return this.pullRequests.find((pr) => pr.number === number) ?? null;
  }

  async openPullRequest(input: {
    head: string;
    base: string;
    title: string;
    body: string;
    draft?: boolean;
  }): Promise<PullRequest> {
    if (this.pullRequests.some((pr) => pr.head === input.head && pr.state === "open"))
      throw new Error(`A pull request already exists for ${input.head}`);
    const pr = this.newPullRequest(input, this.now());
    this.writes.push({ kind: "pr", number: pr.number, title: pr.title, body: pr.body });
    return pr;
  }

  async updatePullRequestBody(number: number, body: string): Promise<void> {
    this.mustPullRequest(number).body = body;
    this.writes.push({ kind: "pr-body", number, body });
  }

  async compare(base: string, head: string): Promise<Comparison> {
    const baseCommit = this.commitAt(base);
    const onBase = new Set<string>();
    for (let c: Commit | undefined = baseCommit; c !== undefined; c = this.parentOf(c)) onBase.add(c.sha);
    const commits: Comparison["commits"] = [];
    let mergeBase: Commit | undefined = this.commitAt(head);
    while (mergeBase !== undefined && !onBase.has(mergeBase.sha)) {
      commits.unshift({ sha: mergeBase.sha, author: mergeBase.author ?? null });
      mergeBase = this.parentOf(mergeBase);
    }
    const from = mergeBase?.files ?? new Map<string, string>();
    const to = this.commitAt(head).files;
    const files = [...new Set([...from.keys(), ...to.keys()])].filter((p) => from.get(p) !== to.get(p));
    return { files: files.sort(), commits, truncated: false };
  }

  async pullRequestFiles(number: number): Promise<string[]> {
    return this.changedFiles(number);
  }

  async listRemedyPullRequests(since: string): Promise<PullRequest[]> {
    return this.pullRequests.filter(
      (pr) => pr.labels.includes("remedy") && (pr.state === "open" || pr.createdAt >= since),
    );
  }

  async requestReviewers(pr: number, reviewers: { users: string[]; teams: string[] }): Promise<void> {
    this.reviewRequests.set(pr, reviewers);
  }

  async enableAutoMerge(pr: number): Promise<void> {
    this.autoMerge.add(pr);
  }

  async setDraft(pr: number, draft: boolean): Promise<void> {
    this.mustPullRequest(pr).draft = draft;
  }

  async finishPullRequest(pr: PullRequest, input: FinishPullRequestInput): Promise<void> {
    await this.addLabels(pr.number, input.labels);
    await this.requestReviewers(pr.number, input.reviewers);
    await this.createCheckRun(input.checkRun);
    if (input.autoMerge) await this.enableAutoMerge(pr.number);
    if (input.link !== undefined)
      await this.upsertComment(input.link.issue, input.link.marker, input.link.body);
  }

  async getIssue(number: number): Promise<Issue | null> {
    return this.issues.find((i) => i.number === number) ?? null;
  }

  async createIssue(input: { title: string; body: string; labels: string[] }): Promise<Issue> {
    const issue = this.openIssueAs(this.botLogin, input);
    this.writes.push({ kind: "issue", number: issue.number, title: issue.title, body: issue.body });
    return issue;
  }

  /** A person opens an issue (scenarios and tests). */
  openIssueAs(author: string, input: { title: string; body: string; labels: string[] }): Issue {
    const issue: Issue = {
      number: this.nextNumber++,
      url: `https://github.com/${this.repo}/issues/${this.nextNumber - 1}`,
      title: input.title,
      body: input.body,
      state: "open",
      labels: [...input.labels],
      author,
      createdAt: this.now(),
    };
    this.issues.push(issue);
    return issue;
  }

  async findIssue(label: string, marker: string): Promise<Issue | null> {
    return (
      this.issues.find((i) => i.state === "open" && i.labels.includes(label) && i.body.includes(marker)) ??
      null
    );
  }

  async closeIssue(number: number): Promise<void> {
    const issue = this.issues.find((i) => i.number === number);
    if (issue) issue.state = "closed";
  }

  async addLabels(number: number, labels: string[]): Promise<void> {
    const target =
      this.issues.find((i) => i.number === number) ?? this.pullRequests.find((p) => p.number === number);
    if (!target) throw new Error(`no issue or PR #${number}`);
    for (const label of labels) if (!target.labels.includes(label)) target.labels.push(label);
  }

  async removeLabel(number: number, label: string): Promise<void> {
    const target =
      this.issues.find((i) => i.number === number) ?? this.pullRequests.find((p) => p.number === number);
    if (target) target.labels = target.labels.filter((l) => l !== label);
  }

  async comment(on: number, body: string): Promise<{ id: number }> {
    const comment = { id: this.nextId++, on, body, author: this.botLogin };
    this.comments.push(comment);
    this.writes.push({ kind: "comment", on, body });
    return { id: comment.id };
  }

  async upsertComment(on: number, marker: string, body: string): Promise<{ id: number }> {
    const existing = this.comments.find(
      (c) => c.on === on && c.author === this.botLogin && c.body.includes(marker),
    );
    if (!existing) return this.comment(on, body);
    existing.body = body;
    this.writes.push({ kind: "comment", on, body });
    return { id: existing.id };
  }

  async createCheckRun(input: CheckRunInput): Promise<{ id: number }> {
    const run = { ...input, id: this.nextId++ };
    this.checkRuns.push(run);
    return { id: run.id };
  }

  async updateCheckRun(id: number, input: Partial<CheckRunInput>): Promise<void> {
    const run = this.checkRuns.find((r) => r.id === id);
    if (!run) throw new Error(`no check run ${id}`);
    Object.assign(run, input);
  }

  async listCheckRuns(headSha: string, name: string): Promise<Array<CheckRunInput & { id: number }>> {
    return this.checkRuns.filter((r) => r.headSha === headSha && r.name === name).reverse();
  }

  async permission(user: string): Promise<Role> {
    return this.permissions[user] ?? "none";
  }

  async protection(): Promise<Protection> {
    return this.protectionState;
  }

  /** Files a PR changes relative to its base (what a reviewer sees in the Files tab). */
  changedFiles(number: number): string[] {
    const pr = this.mustPullRequest(number);
    const head = this.commits.get(pr.mergeSha ?? this.branches.get(pr.head) ?? "");
    if (!head) return [];
    const parent = head.parent === null ? undefined : this.commits.get(head.parent);
    return [...head.files.keys()].filter((p) => head.files.get(p) !== parent?.files.get(p));
  }

  fileAt(ref: string, path: string): string | null {
    return this.resolve(ref)?.files.get(path) ?? null;
  }

  private newPullRequest(
    input: { head: string; base: string; title: string; body: string; draft?: boolean },
    createdAt: string,
  ): PullRequest {
    const number = this.nextNumber++;
    const pr: PullRequest = {
      number,
      url: `https://github.com/${this.repo}/pull/${number}`,
      title: input.title,
      body: input.body,
      head: input.head,
      base: input.base,
      state: "open",
      merged: false,
      mergeSha: null,
      mergedAt: null,
      createdAt,
      labels: [],
      draft: input.draft ?? false,
      author: this.botLogin,
    };
    this.pullRequests.push(pr);
    return pr;
  }

  private mustPullRequest(number: number): PullRequest {
    const pr = this.pullRequests.find((p) => p.number === number);
    if (!pr) throw new Error(`no PR #${number}`);
    return pr;
  }

  private addCommit(
    branch: string,
    parent: string | null,
    files: Map<string, string>,
    message: string,
    at: string,
    by: Pick<Commit, "author" | "pullRequest"> = {},
  ): string {
    const sha = createHash("sha1").update(`${parent}\n${at}\n${message}\n${this.commits.size}`).digest("hex");
    this.commits.set(sha, { sha, parent, at, message, files, ...by });
    this.branches.set(branch, sha);
    return sha;
  }

  private parentOf(commit: Commit): Commit | undefined {
    return commit.parent === null ? undefined : this.commits.get(commit.parent);
  }

  private commitAt(ref: string): Commit {
    const commit = this.resolve(ref);
    if (!commit) throw new Error(`unknown ref ${ref}`);
    return commit;
  }

  private resolve(ref: string | undefined): Commit | undefined {
    const name = ref ?? "main";
    return this.commits.get(this.branches.get(name) ?? name);
  }
}

function normalize(path: string): string {
  return path.replace(/^\.?\/+/, "").replace(/\/+/g, "/");
}

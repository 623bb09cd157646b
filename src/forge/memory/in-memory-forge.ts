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
  TreeListing,
} from "../forge.js";

interface Commit {
  sha: string;
  parent: string | null;
  /** The second parent of a commit that brings a branch onto a newer base (`commitFileOnto`). */
  merged?: string;
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
  | { kind: "commit"; branch: string; path: string; content: string; message: string; onto?: string }
  | { kind: "pr"; number: number; title: string; body: string }
  | { kind: "pr-body"; number: number; body: string }
  | { kind: "comment"; on: number; body: string }
  | { kind: "issue"; number: number; title: string; body: string }
  | { kind: "issue-body"; number: number; body: string };

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
    const forkPoint = this.mergeBase(base, head).mergeBase;
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

  async listTree(ref: string): Promise<TreeListing> {
    const files = this.resolve(ref)?.files ?? new Map<string, string>();
    const sizes = new Map([...files].map(([path, text]) => [path, text.length]));
    return { paths: [...files.keys()].sort(), truncated: false, sizes };
  }

  async fileHistory(path: string, limit: number, ref?: string): Promise<FileVersion[]> {
    const versions: FileVersion[] = [];
    // A commit that brought a branch onto a newer base continues along that base: the file's
    // history is the base's, plus the branch's edit on top (what `git log <path>` shows first).
    const next = (c: Commit): Commit | undefined => {
      const sha = c.merged ?? c.parent;
      return sha === null ? undefined : this.commits.get(sha);
    };
    for (
      let commit = this.resolve(ref);
      commit !== undefined && versions.length < limit;
      commit = next(commit)
    ) {
      const parent = next(commit);
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

  async createBranchWithCommit(input: {
    branch: string;
    fromSha: string;
    path: string;
    content: string;
    message: string;
  }): Promise<{ branch: "created" | "exists"; sha: string | null }> {
    const branch = await this.createBranch(input.branch, input.fromSha);
    const commit = this.commitOnBranch({ ...input, expectedHeadSha: input.fromSha }, null);
    return { branch, sha: commit.ok ? commit.sha : null };
  }

  async commitFile(input: {
    branch: string;
    expectedHeadSha: string;
    path: string;
    content: string;
    message: string;
  }): Promise<CommitResult> {
    return this.commitOnBranch(input, null);
  }

  async commitFileOnto(input: {
    branch: string;
    expectedHeadSha: string;
    onto: string;
    path: string;
    content: string;
    message: string;
  }): Promise<CommitResult> {
    return this.commitOnBranch(input, input.onto);
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

  async updatePullRequestBody(number: number, body: string, title?: string): Promise<void> {
    const pr = this.mustPullRequest(number);
    pr.body = body;
    if (title !== undefined) pr.title = title;
    this.writes.push({ kind: "pr-body", number, body });
  }

  async compare(base: string, head: string): Promise<Comparison> {
    const { mergeBase, ahead } = this.mergeBase(this.commitAt(base), this.commitAt(head));
    const commits: Comparison["commits"] = ahead.map((c) => ({ sha: c.sha, author: c.author ?? null }));
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

  async disableAutoMerge(pr: number): Promise<boolean> {
    this.autoMerge.delete(pr);
    return true;
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

  async updateIssueBody(number: number, body: string): Promise<void> {
    const issue = this.issues.find((i) => i.number === number);
    if (!issue) throw new Error(`no issue #${number}`);
    issue.body = body;
    this.writes.push({ kind: "issue-body", number, body });
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
    // A commit that brought the branch onto a newer base differs from that base by the PR's edit.
    const parentSha = head.merged ?? head.parent;
    const parent = parentSha === null ? undefined : this.commits.get(parentSha);
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

  /**
   * One file written on `branch` while its head is still `expectedHeadSha`: on top of the head, or
   * (given `ontoRef`) on `ontoRef`'s files with both the head and `ontoRef` as parents.
   */
  private commitOnBranch(
    input: { branch: string; expectedHeadSha: string; path: string; content: string; message: string },
    ontoRef: string | null,
  ): CommitResult {
    const head = this.branches.get(input.branch);
    if (head === undefined) throw new Error(`no branch ${input.branch}`);
    if (head !== input.expectedHeadSha) return { ok: false, reason: "stale-head" };
    const onto = ontoRef === null ? null : this.commitAt(ontoRef);
    this.writes.push({
      kind: "commit",
      branch: input.branch,
      path: input.path,
      content: input.content,
      message: input.message,
      ...(onto === null ? {} : { onto: onto.sha }),
    });
    const snapshot = new Map((onto ?? this.commitAt(head)).files);
    snapshot.set(normalize(input.path), input.content);
    return {
      ok: true,
      sha: this.addCommit(input.branch, head, snapshot, input.message, this.now(), {
        author: this.botLogin,
        ...(onto === null ? {} : { merged: onto.sha }),
      }),
    };
  }

  private addCommit(
    branch: string,
    parent: string | null,
    files: Map<string, string>,
    message: string,
    at: string,
    by: Pick<Commit, "author" | "pullRequest" | "merged"> = {},
  ): string {
    const sha = createHash("sha1").update(`${parent}\n${at}\n${message}\n${this.commits.size}`).digest("hex");
    this.commits.set(sha, { sha, parent, at, message, files, ...by });
    this.branches.set(branch, sha);
    return sha;
  }

  /**
   * Where `head` left `base`'s history (the newest commit both reach, through every parent) and the
   * commits only `head` reaches, oldest first: what `git merge-base` and `base...head` give.
   */
  private mergeBase(base: Commit, head: Commit): { mergeBase: Commit | undefined; ahead: Commit[] } {
    const onBase = this.ancestors(base);
    const fromHead = this.ancestors(head);
    const order = [...this.commits.keys()];
    const ahead = [...fromHead].filter((sha) => !onBase.has(sha));
    const shared = [...fromHead].filter((sha) => onBase.has(sha));
    const byAge = (a: string, b: string): number => order.indexOf(a) - order.indexOf(b);
    const newest = shared.sort(byAge).at(-1);
    return {
      mergeBase: newest === undefined ? undefined : this.commits.get(newest),
      ahead: ahead.sort(byAge).map((sha) => this.commitAt(sha)),
    };
  }

  private ancestors(commit: Commit): Set<string> {
    const seen = new Set<string>();
    const todo: Commit[] = [commit];
    for (let c = todo.pop(); c !== undefined; c = todo.pop()) {
      if (seen.has(c.sha)) continue;
      seen.add(c.sha);
      for (const sha of [c.parent, c.merged]) {
        const next = sha === null || sha === undefined ? undefined : this.commits.get(sha);
        if (next !== undefined) todo.push(next);
      }
    }
    return seen;
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

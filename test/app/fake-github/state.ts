import { createHash } from "node:crypto";
import type { GitHubRequest } from "../../helpers/github-api.js";

export const OWNER = "shop";
export const REPO = "gitops";
export const INSTALLATION_ID = 4242;
export const BOT_LOGIN = "remedy[bot]";

export interface Commit {
  tree: string;
  parents: string[];
  message: string;
  date: string;
  /** Login of the commit's GitHub author: the App for what Remedy commits. */
  author: string;
}
export interface IssueRecord {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: string[];
  user: string;
  createdAt: string;
  pull?: {
    head: string;
    base: string;
    draft: boolean;
    mergedAt: string | null;
    mergeSha: string | null;
    headSha: string;
  };
}
export interface CommentRecord {
  id: number;
  issue: number;
  body: string;
  user: string;
}
export interface CheckRunRecord {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: { title?: string; summary?: string; text?: string };
  external_id: string | null;
}
export type Reply = [number, unknown];

/**
 * What the fake GitHub holds: one repository's git objects and refs, issues, PRs, comments, check
 * runs, rules and permissions, plus the requests it was sent. The REST routes and GraphQL
 * operations read and change it; tests arrange and inspect it through the same fields.
 */
export class FakeGitHubState {
  readonly requests: GitHubRequest[] = [];
  readonly blobs = new Map<string, string>();
  readonly trees = new Map<string, Map<string, string>>();
  readonly commits = new Map<string, Commit>();
  readonly refs = new Map<string, string>();
  readonly issues = new Map<number, IssueRecord>();
  readonly comments: CommentRecord[] = [];
  readonly checkRuns: CheckRunRecord[] = [];
  readonly reviewRequests: Array<{ pr: number; reviewers: string[]; teams: string[] }> = [];
  /** PR numbers with auto-merge enabled (enablePullRequestAutoMerge, not yet disabled). */
  readonly autoMerge = new Set<number>();
  /** role_name per login; anyone else is not a collaborator (404). */
  readonly roles = new Map<string, string>([
    ["alice", "write"],
    ["bob", "read"],
    ["carol", "admin"],
  ]);
  /** Active rules on the default branch; default: a ruleset requiring one approving review. */
  rules: unknown[] = [
    {
      type: "pull_request",
      ruleset_source_type: "Repository",
      ruleset_source: `${OWNER}/${REPO}`,
      ruleset_id: 1,
      parameters: {
        required_approving_review_count: 1,
        require_code_owner_review: false,
        require_last_push_approval: false,
        dismiss_stale_reviews_on_push: true,
        required_review_thread_resolution: false,
      },
    },
  ];
  /** False: the rules endpoint answers 403, as for an App without the permission to read them. */
  rulesReadable = true;
  /**
   * Answers to give instead of the real one, for failure tests: the first match is used up. `query`
   * narrows a POST /graphql match to documents it matches; `delayMs` stalls the answer that long
   * (then `status`, or the real answer when `status` is absent); `graphqlErrors` answers as GitHub
   * refuses a GraphQL document: HTTP 200, `data: null` and these errors.
   */
  readonly failures: Array<{
    method: string;
    path: RegExp;
    status?: number;
    times: number;
    query?: RegExp;
    delayMs?: number;
    graphqlErrors?: Array<{ type?: string; message: string }>;
  }> = [];
  installed = true;
  #next = 1;
  #ids = 1000;
  #clock = Date.parse("2026-03-02T10:00:00Z");

  constructor(files: Record<string, string>) {
    const sha = this.commit(null, files, "initial commit");
    this.refs.set("main", sha);
  }

  pulls(): IssueRecord[] {
    return [...this.issues.values()].filter((i) => i.pull !== undefined);
  }

  commentsOn(issue: number): CommentRecord[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  /** An issue as a person opened it, for webhook payloads. */
  addIssue(input: { title: string; body: string; labels: string[]; user: string }): IssueRecord {
    const issue: IssueRecord = { number: this.#next++, state: "open", createdAt: this.now(), ...input };
    this.issues.set(issue.number, issue);
    return issue;
  }

  file(path: string, ref = "main"): string | null {
    const sha = this.resolve(ref);
    const blob = sha === null ? undefined : this.tree(sha).get(path);
    return blob === undefined ? null : (this.blobs.get(blob) ?? null);
  }

  commit(
    parent: string | null,
    changes: Record<string, string | null>,
    message: string,
    author = "octocat",
  ): string {
    const tree = new Map(parent === null ? [] : this.tree(parent));
    // null deletes the file.
    for (const [path, content] of Object.entries(changes))
      if (content === null) tree.delete(path);
      else tree.set(path, this.blob(content));
    const treeSha = this.hash(`tree${this.#ids++}`);
    this.trees.set(treeSha, tree);
    const sha = this.hash(`commit${this.#ids++}`);
    this.commits.set(sha, {
      tree: treeSha,
      parents: parent === null ? [] : [parent],
      message,
      date: this.now(),
      author,
    });
    return sha;
  }

  /** Someone pushes `files` to a new branch `head` off main and opens a PR from it. */
  addPullRequest(input: {
    title: string;
    body: string;
    user: string;
    head: string;
    files: Record<string, string>;
    labels?: string[];
  }): IssueRecord {
    const main = this.refs.get("main") ?? null;
    const headSha = this.commit(main, input.files, input.title, input.user);
    this.refs.set(input.head, headSha);
    const pr: IssueRecord = {
      number: this.#next++,
      title: input.title,
      body: input.body,
      state: "open",
      labels: input.labels ?? [],
      user: input.user,
      createdAt: this.now(),
      pull: { head: input.head, base: "main", draft: false, mergedAt: null, mergeSha: null, headSha },
    };
    this.issues.set(pr.number, pr);
    return pr;
  }

  /**
   * Remedy opens a PR (REST POST /pulls and GraphQL createPullRequest share this): refused, with
   * GitHub's message, for a head branch that does not exist, one with nothing to merge, or one that
   * already has an open PR.
   */
  openPull(input: {
    head: string;
    base: string;
    title: string;
    body: string;
    draft: boolean;
  }): { pr: IssueRecord } | { refused: "invalid head" | "already exists" | "no commits"; message: string } {
    const head = this.refs.get(input.head);
    if (head === undefined) return { refused: "invalid head", message: `Head sha can't be blank` };
    if (head === this.refs.get(input.base))
      return { refused: "no commits", message: `No commits between ${input.base} and ${input.head}` };
    if (this.pulls().some((p) => p.pull?.head === input.head && p.state === "open"))
      return {
        refused: "already exists",
        message: `A pull request already exists for ${OWNER}:${input.head}.`,
      };
    const pr: IssueRecord = {
      number: this.nextNumber(),
      title: input.title,
      body: input.body,
      state: "open",
      labels: [],
      user: BOT_LOGIN,
      createdAt: this.now(),
      pull: {
        head: input.head,
        base: input.base,
        draft: input.draft,
        mergedAt: null,
        mergeSha: null,
        headSha: head,
      },
    };
    this.issues.set(pr.number, pr);
    return { pr };
  }

  /** A reviewer squash-merges a PR: its changes since main land on main as one commit. */
  mergePullRequest(number: number): string {
    const pr = this.issues.get(number);
    if (pr?.pull === undefined) throw new Error(`no PR #${number}`);
    const main = this.refs.get("main") ?? null;
    const head = this.tree(pr.pull.headSha);
    const base = main === null ? new Map<string, string>() : this.tree(main);
    const changes: Record<string, string> = {};
    for (const [path, blob] of head) if (base.get(path) !== blob) changes[path] = this.blobs.get(blob) ?? "";
    const sha = this.commit(main, changes, `${pr.title} (#${number})`);
    this.refs.set("main", sha);
    Object.assign(pr.pull, { mergedAt: this.now(), mergeSha: sha });
    pr.state = "closed";
    return sha;
  }

  /** The file entries GitHub lists for the change from commit `from` (none: empty tree) to `to`. */
  diffEntries(from: string | undefined, to: string) {
    const before = from === undefined ? new Map<string, string>() : this.tree(from);
    const after = this.tree(to);
    return [...new Set([...before.keys(), ...after.keys()])]
      .filter((path) => before.get(path) !== after.get(path))
      .map((filename) => ({
        sha: after.get(filename) ?? before.get(filename),
        filename,
        status: !before.has(filename) ? "added" : !after.has(filename) ? "removed" : "modified",
        additions: 1,
        deletions: 1,
        changes: 2,
      }));
  }

  resolve(ref: string): string | null {
    const name = ref.replace(/^refs\/heads\//, "");
    return this.refs.get(name) ?? (this.commits.has(ref) ? ref : null);
  }

  /** Every commit reachable from `from` through every parent, as git walks them (`from` included). */
  ancestors(from: string): Set<string> {
    const seen = new Set<string>();
    for (const todo = [from]; todo.length > 0;) {
      const sha = todo.pop() as string;
      if (seen.has(sha)) continue;
      seen.add(sha);
      todo.push(...(this.commits.get(sha)?.parents ?? []));
    }
    return seen;
  }

  tree(commitSha: string): Map<string, string> {
    const commit = this.commits.get(commitSha);
    return (commit === undefined ? undefined : this.trees.get(commit.tree)) ?? new Map();
  }

  blob(content: string): string {
    const sha = createHash("sha1").update(`blob ${content}`).digest("hex");
    this.blobs.set(sha, content);
    return sha;
  }

  hash(seed: string): string {
    return createHash("sha1").update(seed).digest("hex");
  }

  /** A clock that moves one second per event, so every record has its own time. */
  now(): string {
    this.#clock += 1000;
    return new Date(this.#clock).toISOString();
  }

  /** The next issue or PR number (they share one sequence, as on GitHub). */
  nextNumber(): number {
    return this.#next++;
  }

  /** The next id for a comment, check run, tree or commit. */
  nextId(): number {
    return this.#ids++;
  }
}

export function notFound(): Reply {
  return [404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" }];
}

/** A request the fake does not know: 501, and a problem recorded on the request. */
export function unknown(method: string, path: string, requests: GitHubRequest[]): Reply {
  const last = requests.at(-1);
  if (last !== undefined) last.problems.push(`the fake GitHub does not implement ${method} ${path}`);
  return [501, { message: `fake GitHub: ${method} ${path} not implemented` }];
}

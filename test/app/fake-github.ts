import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import nock from "nock";
import { GITHUB_API, recordGitHub, type GitHubRequest } from "../helpers/github-api.js";

export const OWNER = "shop";
export const REPO = "gitops";
export const INSTALLATION_ID = 4242;
export const BOT_LOGIN = "remedy[bot]";

interface Commit {
  tree: string;
  parents: string[];
  message: string;
  date: string;
  /** Login of the commit's GitHub author: the App for what Remedy commits. */
  author: string;
}
interface IssueRecord {
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
interface CommentRecord {
  id: number;
  issue: number;
  body: string;
  user: string;
}
interface CheckRunRecord {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: { title?: string; summary?: string; text?: string };
  external_id: string | null;
}
type Reply = [number, unknown];

const ROOT = new URL("../../", import.meta.url).pathname;

/** The example GitOps repository at the project root, as the files a GitHub repo would hold. */
export function exampleRepository(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(ROOT, path)] = readFileSync(path, "utf8");
    }
  };
  for (const dir of [".github", "manifests", "policies", "runbooks"]) walk(join(ROOT, dir));
  // No Prometheus in tests: evidence and health read "no data" instead of reaching for a network.
  files[".github/remedy.yml"] = (files[".github/remedy.yml"] ?? "").replace(
    /^health:[\s\S]*?(?=^environments:)/m,
    "",
  );
  return files;
}

/**
 * A small stateful GitHub behind nock: one repository with git objects, refs, issues, PRs, comments,
 * check runs, rules and permissions, answering the REST and GraphQL requests Remedy makes the way
 * api.github.com does. Every request is recorded and checked against OpenAPI / the GraphQL schema;
 * a request this fake does not know is answered 501 and recorded as a problem.
 */
export class FakeGitHub {
  readonly requests: GitHubRequest[] = [];
  readonly blobs = new Map<string, string>();
  readonly trees = new Map<string, Map<string, string>>();
  readonly commits = new Map<string, Commit>();
  readonly refs = new Map<string, string>();
  readonly issues = new Map<number, IssueRecord>();
  readonly comments: CommentRecord[] = [];
  readonly checkRuns: CheckRunRecord[] = [];
  readonly reviewRequests: Array<{ pr: number; reviewers: string[]; teams: string[] }> = [];
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
  /** Answers to give instead of the real one, for failure tests: the first match is used up. */
  readonly failures: Array<{ method: string; path: RegExp; status: number; times: number }> = [];
  installed = true;
  #next = 1;
  #ids = 1000;
  #clock = Date.parse("2026-03-02T10:00:00Z");

  constructor(files: Record<string, string> = exampleRepository()) {
    const sha = this.commit(null, files, "initial commit");
    this.refs.set("main", sha);
  }

  /** Intercepts api.github.com. `delayMs` adds a fake round trip to every answer (the benchmark). */
  mock(delayMs = 0, expectAuth = true): nock.Scope {
    const scope = nock(GITHUB_API);
    recordGitHub(scope, this.requests);
    // The token exchange is a strict, one-time expectation (Probot caches the token): nock.isDone()
    // fails when Remedy never authenticated as the installation.
    const token = scope.post(`/app/installations/${INSTALLATION_ID}/access_tokens`);
    // A test in which Remedy must not touch GitHub at all says so; then the token is not expected.
    if (!expectAuth) token.optionally();
    token.delay(delayMs).reply(201, {
      token: "ghs_test",
      expires_at: "2099-01-01T00:00:00Z",
      permissions: {},
      repository_selection: "selected",
    });
    for (const method of ["get", "post", "patch", "put", "delete"] as const) {
      scope
        .persist()
        .intercept(/.*/, method.toUpperCase())
        .optionally()
        .delay(delayMs)
        .reply((uri, body) => this.#answer(method.toUpperCase(), uri, body));
    }
    return scope;
  }

  /**
   * The same fake as a real HTTP server on 127.0.0.1, for Remedy processes of their own (Probot's
   * `baseUrl` pointed at it): several replicas then share one GitHub. It also answers the token
   * exchange. Requests are recorded without the OpenAPI check (the in-process tests do that).
   */
  async serve(delayMs = 0): Promise<{ url: string; close(): Promise<void> }> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const method = req.method ?? "GET";
        const path = req.url ?? "/";
        let reply: Reply;
        try {
          this.requests.push({ method, path, body: raw === "" ? undefined : JSON.parse(raw), problems: [] });
          reply =
            method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)
              ? [
                  201,
                  {
                    token: "ghs_test",
                    expires_at: "2099-01-01T00:00:00Z",
                    permissions: {},
                    repository_selection: "selected",
                  },
                ]
              : this.#answer(method, path, raw);
        } catch (error) {
          reply = [500, { message: (error as Error).message }];
        }
        const send = () => {
          const text = JSON.stringify(reply[1] ?? null);
          res.writeHead(reply[0], { "content-type": "application/json; charset=utf-8" });
          res.end(text);
        };
        if (delayMs > 0) setTimeout(send, delayMs);
        else send();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  /** Problems found in recorded requests (OpenAPI, GraphQL schema, unknown routes). */
  problems(): string[] {
    return this.requests.flatMap((r) => r.problems.map((p) => `${r.method} ${r.path}: ${p}`));
  }

  pulls(): IssueRecord[] {
    return [...this.issues.values()].filter((i) => i.pull !== undefined);
  }

  commentsOn(issue: number): CommentRecord[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  /** An issue as a person opened it, for webhook payloads. */
  addIssue(input: { title: string; body: string; labels: string[]; user: string }): IssueRecord {
    const issue: IssueRecord = { number: this.#next++, state: "open", createdAt: this.#now(), ...input };
    this.issues.set(issue.number, issue);
    return issue;
  }

  file(path: string, ref = "main"): string | null {
    const sha = this.#resolve(ref);
    const blob = sha === null ? undefined : this.#tree(sha).get(path);
    return blob === undefined ? null : (this.blobs.get(blob) ?? null);
  }

  commit(
    parent: string | null,
    changes: Record<string, string>,
    message: string,
    author = "octocat",
  ): string {
    const tree = new Map(parent === null ? [] : this.#tree(parent));
    for (const [path, content] of Object.entries(changes)) tree.set(path, this.#blob(content));
    const treeSha = this.#hash(`tree${this.#ids++}`);
    this.trees.set(treeSha, tree);
    const sha = this.#hash(`commit${this.#ids++}`);
    this.commits.set(sha, {
      tree: treeSha,
      parents: parent === null ? [] : [parent],
      message,
      date: this.#now(),
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
      createdAt: this.#now(),
      pull: { head: input.head, base: "main", draft: false, mergedAt: null, mergeSha: null, headSha },
    };
    this.issues.set(pr.number, pr);
    return pr;
  }

  /** A reviewer squash-merges a PR: its changes since main land on main as one commit. */
  mergePullRequest(number: number): string {
    const pr = this.issues.get(number);
    if (pr?.pull === undefined) throw new Error(`no PR #${number}`);
    const main = this.refs.get("main") ?? null;
    const head = this.#tree(pr.pull.headSha);
    const base = main === null ? new Map<string, string>() : this.#tree(main);
    const changes: Record<string, string> = {};
    for (const [path, blob] of head) if (base.get(path) !== blob) changes[path] = this.blobs.get(blob) ?? "";
    const sha = this.commit(main, changes, `${pr.title} (#${number})`);
    this.refs.set("main", sha);
    Object.assign(pr.pull, { mergedAt: this.#now(), mergeSha: sha });
    pr.state = "closed";
    return sha;
  }

  // --- routing -----------------------------------------------------------------------------------

  #answer(method: string, uri: string, rawBody: unknown): Reply {
    const url = new URL(uri, GITHUB_API);
    const path = decodeURIComponent(url.pathname);
    const query = url.searchParams;
    const body = (typeof rawBody === "string" && rawBody !== "" ? JSON.parse(rawBody) : rawBody) as Record<
      string,
      unknown
    >;
    const repoPrefix = `/repos/${OWNER}/${REPO}`;
    const failure = this.failures.find((f) => f.times > 0 && f.method === method && f.path.test(path));
    if (failure !== undefined) {
      failure.times -= 1;
      return [failure.status, { message: `injected ${failure.status}` }];
    }
    if (method === "GET" && path === "/app")
      return [200, { id: 1, slug: "remedy", name: "Remedy", node_id: "A_1", owner: { login: OWNER } }];
    if (method === "GET" && path === "/app/installations")
      return [200, this.installed ? [{ id: INSTALLATION_ID, account: { login: OWNER }, app_id: 1 }] : []];
    if (method === "GET" && path === "/installation/repositories")
      return [
        200,
        {
          total_count: 1,
          repositories: [
            { id: 1, name: REPO, full_name: `${OWNER}/${REPO}`, owner: { login: OWNER }, private: true },
          ],
        },
      ];
    if (method === "GET" && path === `${repoPrefix}/installation`)
      return this.installed ? [200, { id: INSTALLATION_ID, account: { login: OWNER } }] : notFound();
    if (method === "POST" && path === "/graphql") return this.#graphql(body);
    if (!path.startsWith(repoPrefix)) return unknown(method, path, this.requests);
    const rest = path.slice(repoPrefix.length) || "/";
    const route = (pattern: RegExp): RegExpExecArray | null => pattern.exec(rest);
    let m: RegExpExecArray | null;

    if (method === "GET" && rest === "/")
      return [
        200,
        { id: 1, name: REPO, full_name: `${OWNER}/${REPO}`, default_branch: "main", owner: { login: OWNER } },
      ];
    // git data
    if (method === "GET" && (m = route(/^\/git\/ref\/heads\/(.+)$/))) {
      const sha = this.refs.get(m[1] ?? "");
      return sha === undefined
        ? notFound()
        : [200, { ref: `refs/heads/${m[1]}`, object: { sha, type: "commit" } }];
    }
    if (method === "POST" && rest === "/git/refs") {
      const branch = String(body.ref).replace(/^refs\/heads\//, "");
      if (this.refs.has(branch)) return [422, { message: "Reference already exists" }];
      this.refs.set(branch, String(body.sha));
      return [201, { ref: body.ref, object: { sha: body.sha, type: "commit" } }];
    }
    if (method === "PATCH" && (m = route(/^\/git\/refs\/heads\/(.+)$/))) {
      const branch = m[1] ?? "";
      const current = this.refs.get(branch);
      const next = String(body.sha);
      if (current !== undefined && this.commits.get(next)?.parents[0] !== current)
        return [422, { message: "Update is not a fast forward" }];
      this.refs.set(branch, next);
      return [200, { ref: `refs/heads/${branch}`, object: { sha: next, type: "commit" } }];
    }
    if (method === "GET" && (m = route(/^\/git\/commits\/([0-9a-f]+)$/))) {
      const commit = this.commits.get(m[1] ?? "");
      return commit === undefined
        ? notFound()
        : [
            200,
            {
              sha: m[1],
              tree: { sha: commit.tree },
              parents: commit.parents.map((sha) => ({ sha })),
              message: commit.message,
            },
          ];
    }
    if (method === "GET" && (m = route(/^\/git\/trees\/(.+)$/))) {
      // Like GitHub, a commit sha or a branch name stands for its tree.
      const key = m[1] ?? "";
      const commit = this.commits.get(key) ?? this.commits.get(this.refs.get(key) ?? "");
      const tree = this.trees.get(key) ?? (commit === undefined ? undefined : this.trees.get(commit.tree));
      if (tree === undefined) return notFound();
      const recursive = query.get("recursive") !== null;
      const entries = new Map<string, unknown>();
      for (const [p, sha] of tree) {
        const parts = p.split("/");
        // Folders appear as tree entries, as GitHub lists them.
        for (let depth = 1; depth < parts.length && (recursive || depth === 1); depth++) {
          const dir = parts.slice(0, depth).join("/");
          entries.set(dir, { path: dir, type: "tree", mode: "040000", sha: this.#hash(`dir:${dir}`) });
        }
        if (recursive || parts.length === 1)
          entries.set(p, {
            path: p,
            type: "blob",
            mode: "100644",
            sha,
            size: this.blobs.get(sha)?.length ?? 0,
          });
      }
      return [200, { sha: key, truncated: false, tree: [...entries.values()] }];
    }
    if (method === "GET" && (m = route(/^\/git\/blobs\/([0-9a-f]+)$/))) {
      const blob = this.blobs.get(m[1] ?? "");
      return blob === undefined
        ? notFound()
        : [
            200,
            {
              sha: m[1],
              encoding: "base64",
              content: Buffer.from(blob).toString("base64"),
              size: blob.length,
            },
          ];
    }
    if (method === "POST" && rest === "/git/blobs") {
      const content =
        body.encoding === "base64"
          ? Buffer.from(String(body.content), "base64").toString("utf8")
          : String(body.content);
      return [201, { sha: this.#blob(content) }];
    }
    if (method === "POST" && rest === "/git/trees") {
      const tree = new Map(
        body.base_tree === undefined ? [] : (this.trees.get(String(body.base_tree)) ?? []),
      );
      for (const entry of body.tree as Array<{ path: string; sha: string }>) tree.set(entry.path, entry.sha);
      const sha = this.#hash(`tree${this.#ids++}`);
      this.trees.set(sha, tree);
      return [201, { sha }];
    }
    if (method === "POST" && rest === "/git/commits") {
      const sha = this.#hash(`commit${this.#ids++}`);
      this.commits.set(sha, {
        tree: String(body.tree),
        parents: body.parents as string[],
        message: String(body.message),
        date: this.#now(),
        author: BOT_LOGIN,
      });
      return [201, { sha }];
    }
    if (method === "GET" && (m = route(/^\/compare\/(.+)\.\.\.(.+)$/))) {
      const base = this.#resolve(m[1] ?? "");
      const head = this.#resolve(m[2] ?? "");
      if (base === null || head === null) return notFound();
      const onBase = new Set<string>();
      for (let sha: string | undefined = base; sha !== undefined; sha = this.commits.get(sha)?.parents[0])
        onBase.add(sha);
      const ahead: string[] = [];
      let mergeBase: string | undefined = head;
      while (mergeBase !== undefined && !onBase.has(mergeBase)) {
        ahead.unshift(mergeBase);
        mergeBase = this.commits.get(mergeBase)?.parents[0];
      }
      const files = this.#diffEntries(mergeBase, head);
      const commits = ahead.map((sha) => ({
        sha,
        node_id: `C_${sha}`,
        url: `${GITHUB_API}/repos/${OWNER}/${REPO}/commits/${sha}`,
        html_url: `https://github.com/${OWNER}/${REPO}/commit/${sha}`,
        comments_url: `${GITHUB_API}/repos/${OWNER}/${REPO}/commits/${sha}/comments`,
        commit: {
          url: `${GITHUB_API}/repos/${OWNER}/${REPO}/git/commits/${sha}`,
          message: this.commits.get(sha)?.message ?? "",
          comment_count: 0,
          tree: { sha: this.commits.get(sha)?.tree ?? "", url: "" },
          author: { name: this.commits.get(sha)?.author, email: "", date: this.commits.get(sha)?.date },
          committer: { name: "GitHub", email: "noreply@github.com", date: this.commits.get(sha)?.date },
        },
        author: { login: this.commits.get(sha)?.author, id: 1, type: "User" },
        committer: null,
        parents: (this.commits.get(sha)?.parents ?? []).map((p) => ({ sha: p, url: "" })),
      }));
      return [
        200,
        {
          url: `${GITHUB_API}/repos/${OWNER}/${REPO}/compare/${m[1]}...${m[2]}`,
          status: ahead.length === 0 ? "behind" : "ahead",
          ahead_by: ahead.length,
          behind_by: 0,
          total_commits: ahead.length,
          commits,
          files,
        },
      ];
    }
    // contents
    if (method === "GET" && (m = route(/^\/contents\/(.*)$/))) {
      const sha = this.#resolve(query.get("ref") ?? "main");
      if (sha === null) return notFound();
      const target = (m[1] ?? "").replace(/\/$/, "");
      const tree = this.#tree(sha);
      const blob = tree.get(target);
      if (blob !== undefined) {
        const content = this.blobs.get(blob) ?? "";
        return [
          200,
          {
            type: "file",
            encoding: "base64",
            size: content.length,
            name: target.split("/").at(-1),
            path: target,
            sha: blob,
            content: Buffer.from(content).toString("base64"),
          },
        ];
      }
      const entries = [...tree.keys()].filter(
        (p) => p.startsWith(`${target}/`) && !p.slice(target.length + 1).includes("/"),
      );
      return entries.length === 0
        ? notFound()
        : [
            200,
            entries.map((p) => ({
              type: "file",
              name: p.split("/").at(-1),
              path: p,
              sha: tree.get(p),
              size: 1,
            })),
          ];
    }
    // pulls
    if (method === "GET" && rest === "/pulls") {
      const head = query.get("head")?.split(":")[1];
      return [
        200,
        this.pulls()
          .filter((p) => head === undefined || p.pull?.head === head)
          .reverse()
          .map((p) => this.#restPull(p)),
      ];
    }
    if (method === "POST" && rest === "/pulls") {
      const head = String(body.head);
      if (!this.refs.has(head))
        return [422, { message: "Validation Failed", errors: [{ field: "head", code: "invalid" }] }];
      if (this.pulls().some((p) => p.pull?.head === head && p.state === "open"))
        return [422, { message: `Validation Failed: A pull request already exists for ${OWNER}:${head}.` }];
      const pr: IssueRecord = {
        number: this.#next++,
        title: String(body.title),
        body: String(body.body ?? ""),
        state: "open",
        labels: [],
        user: BOT_LOGIN,
        createdAt: this.#now(),
        pull: {
          head,
          base: String(body.base),
          draft: body.draft === true,
          mergedAt: null,
          mergeSha: null,
          headSha: this.refs.get(head) ?? "",
        },
      };
      this.issues.set(pr.number, pr);
      return [201, this.#restPull(pr)];
    }
    if (method === "GET" && (m = route(/^\/pulls\/(\d+)\/files$/))) {
      const pr = this.issues.get(Number(m[1]));
      if (pr?.pull === undefined) return notFound();
      const headSha = pr.pull.mergeSha ?? pr.pull.headSha;
      const files = this.#diffEntries(this.commits.get(headSha)?.parents[0], headSha);
      return [200, files.map((f) => ({ ...f, blob_url: "", raw_url: "", contents_url: "" }))];
    }
    if ((m = route(/^\/pulls\/(\d+)$/))) {
      const pr = this.issues.get(Number(m[1]));
      if (pr?.pull === undefined) return notFound();
      if (method === "PATCH" && typeof body.body === "string") pr.body = body.body;
      return [200, this.#restPull(pr)];
    }
    if (method === "POST" && (m = route(/^\/pulls\/(\d+)\/requested_reviewers$/))) {
      this.reviewRequests.push({
        pr: Number(m[1]),
        reviewers: (body.reviewers as string[]) ?? [],
        teams: (body.team_reviewers as string[]) ?? [],
      });
      return [201, this.#restPull(this.issues.get(Number(m[1])) as IssueRecord)];
    }
    // issues
    if (method === "GET" && rest === "/issues") {
      const labels = query.get("labels")?.split(",") ?? [];
      const state = query.get("state") ?? "open";
      return [
        200,
        [...this.issues.values()]
          .filter((i) => (state === "all" || i.state === state) && labels.every((l) => i.labels.includes(l)))
          .reverse()
          .map((i) => this.#restIssue(i)),
      ];
    }
    if (method === "POST" && rest === "/issues") {
      const issue = this.addIssue({
        title: String(body.title),
        body: String(body.body ?? ""),
        labels: (body.labels as string[]) ?? [],
        user: BOT_LOGIN,
      });
      return [201, this.#restIssue(issue)];
    }
    if ((m = route(/^\/issues\/(\d+)$/))) {
      const issue = this.issues.get(Number(m[1]));
      if (issue === undefined) return notFound();
      if (method === "PATCH" && (body.state === "open" || body.state === "closed")) issue.state = body.state;
      return [200, this.#restIssue(issue)];
    }
    if (method === "POST" && (m = route(/^\/issues\/(\d+)\/labels$/))) {
      const issue = this.issues.get(Number(m[1]));
      if (issue === undefined) return notFound();
      for (const label of body.labels as string[])
        if (!issue.labels.includes(label)) issue.labels.push(label);
      return [200, issue.labels.map((name) => ({ name }))];
    }
    if (method === "DELETE" && (m = route(/^\/issues\/(\d+)\/labels\/(.+)$/))) {
      const issue = this.issues.get(Number(m[1]));
      if (issue === undefined || !issue.labels.includes(m[2] ?? "")) return notFound();
      issue.labels = issue.labels.filter((l) => l !== m?.[2]);
      return [200, issue.labels.map((name) => ({ name }))];
    }
    if ((m = route(/^\/issues\/(\d+)\/comments$/))) {
      const number = Number(m[1]);
      if (method === "GET") return [200, this.commentsOn(number).map((c) => this.#restComment(c))];
      const comment: CommentRecord = {
        id: this.#ids++,
        issue: number,
        body: String(body.body),
        user: BOT_LOGIN,
      };
      this.comments.push(comment);
      return [201, this.#restComment(comment)];
    }
    if (method === "PATCH" && (m = route(/^\/issues\/comments\/(\d+)$/))) {
      const comment = this.comments.find((c) => c.id === Number(m?.[1]));
      if (comment === undefined) return notFound();
      comment.body = String(body.body);
      return [200, this.#restComment(comment)];
    }
    // checks
    if (method === "POST" && rest === "/check-runs") {
      const run: CheckRunRecord = {
        id: this.#ids++,
        name: String(body.name),
        head_sha: String(body.head_sha),
        status: String(body.status ?? "queued"),
        conclusion: (body.conclusion as string) ?? null,
        output: (body.output as CheckRunRecord["output"]) ?? {},
        external_id: (body.external_id as string) ?? null,
      };
      this.checkRuns.push(run);
      return [201, run];
    }
    if (method === "PATCH" && (m = route(/^\/check-runs\/(\d+)$/))) {
      const run = this.checkRuns.find((r) => r.id === Number(m?.[1]));
      if (run === undefined) return notFound();
      Object.assign(run, body);
      return [200, run];
    }
    if (method === "GET" && (m = route(/^\/commits\/([^/]+)\/check-runs$/))) {
      const runs = this.checkRuns.filter(
        (r) =>
          r.head_sha === m?.[1] && (query.get("check_name") === null || r.name === query.get("check_name")),
      );
      return [200, { total_count: runs.length, check_runs: runs }];
    }
    // permission and protection
    if (method === "GET" && (m = route(/^\/collaborators\/([^/]+)\/permission$/))) {
      const role = this.roles.get(m[1] ?? "");
      if (role === undefined) return notFound();
      const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
      return [200, { permission, role_name: role, user: { login: m[1] } }];
    }
    if (method === "GET" && route(/^\/rules\/branches\/[^/]+$/))
      return this.rulesReadable
        ? [200, this.rules]
        : [403, { message: "Resource not accessible by integration" }];
    if (method === "GET" && route(/^\/branches\/[^/]+\/protection$/))
      return [404, { message: "Branch not protected" }];
    return unknown(method, path, this.requests);
  }

  #graphql(body: Record<string, unknown>): Reply {
    const query = String(body.query);
    const variables = (body.variables ?? {}) as Record<string, unknown>;
    if (query.includes("createCommitOnBranch")) {
      const input = variables.input as {
        branch: { branchName: string };
        expectedHeadOid: string;
        message: { headline: string; body?: string };
        fileChanges: { additions: Array<{ path: string; contents: string }> };
      };
      const head = this.refs.get(input.branch.branchName);
      if (head !== input.expectedHeadOid)
        return [
          200,
          {
            data: { createCommitOnBranch: null },
            errors: [
              {
                type: "STALE_DATA",
                message: `Expected branch to point to "${input.expectedHeadOid}" but it did not`,
              },
            ],
          },
        ];
      const changes = Object.fromEntries(
        input.fileChanges.additions.map((a) => [a.path, Buffer.from(a.contents, "base64").toString("utf8")]),
      );
      const sha = this.commit(
        head,
        changes,
        [input.message.headline, input.message.body].filter(Boolean).join("\n\n"),
        BOT_LOGIN,
      );
      this.refs.set(input.branch.branchName, sha);
      for (const pr of this.pulls()) if (pr.pull?.head === input.branch.branchName) pr.pull.headSha = sha;
      return [200, { data: { createCommitOnBranch: { commit: { oid: sha } } } }];
    }
    if (query.includes("query RemedyFinishContext")) {
      const labels = new Set(["incident", ...[...this.issues.values()].flatMap((i) => i.labels)]);
      const issue = variables.withIssue === true ? this.issues.get(Number(variables.issue)) : undefined;
      const data: Record<string, unknown> = {
        repository: {
          id: "R_1",
          labels: { nodes: [...labels].map((name) => ({ id: `LA_${name}`, name })) },
          ...(variables.withIssue === true
            ? {
                issue:
                  issue === undefined
                    ? null
                    : {
                        id: `I_${issue.number}`,
                        comments: {
                          nodes: this.commentsOn(issue.number).map((c) => ({
                            id: `IC_${c.id}`,
                            body: c.body,
                            // GraphQL names an App by its slug, without REST's "[bot]".
                            author: { login: c.user.replace(/\[bot\]$/, "") },
                          })),
                        },
                      },
              }
            : {}),
        },
      };
      if (variables.withTeams === true)
        data.organization = Object.fromEntries(
          Object.entries(variables)
            .filter(([k]) => /^t\d+$/.test(k))
            .map(([k, slug]) => [k, { id: `T_${String(slug)}` }]),
        );
      for (const [k, login] of Object.entries(variables))
        if (/^u\d+$/.test(k)) data[k] = { id: `U_${String(login)}` };
      return [200, { data }];
    }
    if (query.includes("mutation RemedyFinish")) {
      const data: Record<string, unknown> = {};
      const errors: unknown[] = [];
      const v = variables as Record<string, Record<string, unknown>>;
      const pull = (id: unknown) => this.issues.get(Number(String(id).replace(/^PR_/, "")));
      if (v.labels !== undefined) {
        const pr = pull(v.labels.labelableId);
        for (const id of v.labels.labelIds as string[]) {
          const name = id.replace(/^LA_/, "");
          if (pr !== undefined && !pr.labels.includes(name)) pr.labels.push(name);
        }
        data.labels = { clientMutationId: null };
      }
      if (v.reviews !== undefined) {
        const users = (v.reviews.userIds as string[]).map((id) => id.replace(/^U_/, ""));
        const strangers = users.filter((login) => !this.roles.has(login));
        if (strangers.length > 0) {
          data.reviews = null;
          errors.push({
            path: ["reviews"],
            type: "UNPROCESSABLE",
            message: `Could not request reviews: ${strangers.join(", ")} is not a collaborator`,
          });
        } else {
          this.reviewRequests.push({
            pr: pull(v.reviews.pullRequestId)?.number ?? 0,
            reviewers: users,
            teams: (v.reviews.teamIds as string[]).map((id) => id.replace(/^T_/, "")),
          });
          data.reviews = { clientMutationId: null };
        }
      }
      if (v.check !== undefined) {
        const c = v.check;
        const run: CheckRunRecord = {
          id: this.#ids++,
          name: String(c.name),
          head_sha: String(c.headSha),
          status: String(c.status).toLowerCase(),
          conclusion: c.conclusion === undefined ? null : String(c.conclusion).toLowerCase(),
          output: (c.output as CheckRunRecord["output"]) ?? {},
          external_id: (c.externalId as string) ?? null,
        };
        this.checkRuns.push(run);
        data.check = { checkRun: { databaseId: run.id } };
      }
      if (v.autoMerge !== undefined) data.autoMerge = { clientMutationId: null };
      if (v.link !== undefined && query.includes("addComment(")) {
        const comment: CommentRecord = {
          id: this.#ids++,
          issue: Number(String(v.link.subjectId).replace(/^I_/, "")),
          body: String(v.link.body),
          user: BOT_LOGIN,
        };
        this.comments.push(comment);
        data.link = { clientMutationId: null };
      } else if (v.link !== undefined) {
        const comment = this.comments.find((c) => `IC_${c.id}` === v.link?.id);
        if (comment !== undefined) comment.body = String(v.link.body);
        data.link = { clientMutationId: null };
      }
      return [200, errors.length > 0 ? { data, errors } : { data }];
    }
    if (query.includes("query RemedyLedger")) {
      const head = this.refs.get(String(variables.ref).replace(/^refs\/heads\//, ""));
      if (head === undefined) return [200, { data: { repository: { ref: null } } }];
      const blob = this.#tree(head).get(String(variables.path));
      const object =
        blob === undefined ? null : { oid: blob, text: this.blobs.get(blob), isTruncated: false };
      return [
        200,
        {
          data: { repository: { ref: { target: { oid: head, file: object === null ? null : { object } } } } },
        },
      ];
    }
    if (query.includes("query RemedyBlobs")) {
      const repository: Record<string, unknown> = {};
      for (const [name, oid] of Object.entries(variables))
        if (/^b\d+$/.test(name)) {
          const text = this.blobs.get(String(oid));
          repository[name] = text === undefined ? null : { text, isTruncated: false };
        }
      return [200, { data: { repository } }];
    }
    if (query.includes("history(")) {
      const start = this.#resolve(String(variables.ref));
      const path = String(variables.path);
      const nodes: unknown[] = [];
      for (let sha = start; sha !== null && nodes.length < Number(variables.first);) {
        const commit = this.commits.get(sha);
        if (commit === undefined) break;
        const parent = commit.parents[0] ?? null;
        const blob = this.trees.get(commit.tree)?.get(path);
        const before = parent === null ? undefined : this.#tree(parent).get(path);
        if (blob !== undefined && blob !== before)
          nodes.push({
            oid: sha,
            committedDate: commit.date,
            message: commit.message,
            file: { object: { oid: blob, text: this.blobs.get(blob), isTruncated: false } },
          });
        sha = parent;
      }
      return [200, { data: { repository: { object: { history: { nodes } } } } }];
    }
    if (query.includes("pullRequests(")) {
      const nodes = this.pulls()
        .filter((p) => p.labels.includes("remedy"))
        .reverse()
        .map((p) => ({
          id: `PR_${p.number}`,
          number: p.number,
          url: this.#url(p.number, true),
          title: p.title,
          body: p.body,
          headRefName: p.pull?.head,
          baseRefName: p.pull?.base,
          state: p.pull?.mergedAt ? "MERGED" : p.state.toUpperCase(),
          merged: p.pull?.mergedAt !== null,
          mergedAt: p.pull?.mergedAt ?? null,
          createdAt: p.createdAt,
          isDraft: p.pull?.draft ?? false,
          mergeCommit: p.pull?.mergeSha ? { oid: p.pull.mergeSha } : null,
          author: { __typename: "Bot", login: "remedy" },
          labels: { nodes: p.labels.map((name) => ({ name })) },
        }));
      const open = nodes.filter((n) => n.state === "OPEN");
      return [
        200,
        {
          data: {
            repository: {
              ...(variables.withOpen === true ? { open: { nodes: open } } : {}),
              recent: { pageInfo: { hasNextPage: false, endCursor: null }, nodes },
            },
          },
        },
      ];
    }
    if (query.includes("convertPullRequestToDraft") || query.includes("markPullRequestReadyForReview")) {
      const draft = query.includes("convertPullRequestToDraft");
      const pr = this.pulls().find((p) => `PR_${p.number}` === variables.id);
      if (pr?.pull === undefined)
        return [200, { data: null, errors: [{ type: "NOT_FOUND", message: "Could not resolve to a node" }] }];
      pr.pull.draft = draft;
      const field = draft ? "convertPullRequestToDraft" : "markPullRequestReadyForReview";
      return [200, { data: { [field]: { clientMutationId: null } } }];
    }
    if (query.includes("enablePullRequestAutoMerge"))
      return [200, { data: { enablePullRequestAutoMerge: { clientMutationId: null } } }];
    return unknown("POST", "/graphql (unknown operation)", this.requests);
  }

  /** The file entries GitHub lists for the change from commit `from` (none: empty tree) to `to`. */
  #diffEntries(from: string | undefined, to: string) {
    const before = from === undefined ? new Map<string, string>() : this.#tree(from);
    const after = this.#tree(to);
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

  #restPull(p: IssueRecord): unknown {
    return {
      id: p.number,
      node_id: `PR_${p.number}`,
      number: p.number,
      html_url: this.#url(p.number, true),
      title: p.title,
      body: p.body,
      state: p.state,
      draft: p.pull?.draft ?? false,
      head: { ref: p.pull?.head, sha: p.pull?.headSha },
      base: { ref: p.pull?.base },
      merged_at: p.pull?.mergedAt ?? null,
      merge_commit_sha: p.pull?.mergeSha ?? null,
      created_at: p.createdAt,
      labels: p.labels.map((name) => ({ name })),
      user: { login: p.user, type: p.user.endsWith("[bot]") ? "Bot" : "User" },
    };
  }

  #restIssue(i: IssueRecord): unknown {
    return {
      id: i.number,
      number: i.number,
      html_url: this.#url(i.number, i.pull !== undefined),
      title: i.title,
      body: i.body,
      state: i.state,
      labels: i.labels.map((name) => ({ name })),
      user: { login: i.user, type: i.user.endsWith("[bot]") ? "Bot" : "User" },
      created_at: i.createdAt,
      ...(i.pull === undefined ? {} : { pull_request: { url: this.#url(i.number, true) } }),
    };
  }

  #restComment(c: CommentRecord): unknown {
    return {
      id: c.id,
      body: c.body,
      user: { login: c.user, type: c.user.endsWith("[bot]") ? "Bot" : "User" },
      html_url: `${this.#url(c.issue, false)}#issuecomment-${c.id}`,
    };
  }

  #url(number: number, pull: boolean): string {
    return `https://github.com/${OWNER}/${REPO}/${pull ? "pull" : "issues"}/${number}`;
  }

  #resolve(ref: string): string | null {
    const name = ref.replace(/^refs\/heads\//, "");
    return this.refs.get(name) ?? (this.commits.has(ref) ? ref : null);
  }

  #tree(commitSha: string): Map<string, string> {
    const commit = this.commits.get(commitSha);
    return (commit === undefined ? undefined : this.trees.get(commit.tree)) ?? new Map();
  }

  #blob(content: string): string {
    const sha = createHash("sha1").update(`blob ${content}`).digest("hex");
    this.blobs.set(sha, content);
    return sha;
  }

  #hash(seed: string): string {
    return createHash("sha1").update(seed).digest("hex");
  }

  #now(): string {
    this.#clock += 1000;
    return new Date(this.#clock).toISOString();
  }
}

function notFound(): Reply {
  return [404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" }];
}

function unknown(method: string, path: string, requests: GitHubRequest[]): Reply {
  const last = requests.at(-1);
  if (last !== undefined) last.problems.push(`the fake GitHub does not implement ${method} ${path}`);
  return [501, { message: `fake GitHub: ${method} ${path} not implemented` }];
}

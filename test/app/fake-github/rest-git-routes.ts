import { GITHUB_API } from "../../helpers/github-api.js";
import { route, type Route } from "./rest-route.js";
import { restCommit, restPull } from "./rest-shapes.js";
import { OWNER, REPO, BOT_LOGIN, notFound } from "./state.js";

/** The repository, its git data, comparisons and contents (paths below /repos/{owner}/{repo}). */
export const GIT_ROUTES: readonly Route[] = [
  route("GET", /^\/$/, () => [
    200,
    {
      id: 1,
      // The id GraphQL knows the repository by (RemedyFinishContext answers the same).
      node_id: "R_1",
      name: REPO,
      full_name: `${OWNER}/${REPO}`,
      default_branch: "main",
      owner: { login: OWNER },
    },
  ]),
  // git data
  route("GET", /^\/git\/ref\/heads\/(.+)$/, ({ s, m }) => {
    const sha = s.refs.get(m[1] ?? "");
    return sha === undefined
      ? notFound()
      : [200, { ref: `refs/heads/${m[1]}`, object: { sha, type: "commit" } }];
  }),
  route("POST", /^\/git\/refs$/, ({ s, body }) => {
    const branch = String(body.ref).replace(/^refs\/heads\//, "");
    if (s.refs.has(branch)) return [422, { message: "Reference already exists" }];
    s.refs.set(branch, String(body.sha));
    return [201, { ref: body.ref, object: { sha: body.sha, type: "commit" } }];
  }),
  route("PATCH", /^\/git\/refs\/heads\/(.+)$/, ({ s, m, body }) => {
    const branch = m[1] ?? "";
    const current = s.refs.get(branch);
    const next = String(body.sha);
    if (current !== undefined && s.commits.get(next)?.parents[0] !== current)
      return [422, { message: "Update is not a fast forward" }];
    s.refs.set(branch, next);
    for (const pr of s.pulls()) if (pr.pull?.head === branch) pr.pull.headSha = next;
    return [200, { ref: `refs/heads/${branch}`, object: { sha: next, type: "commit" } }];
  }),
  route("GET", /^\/git\/commits\/([0-9a-f]+)$/, ({ s, m }) => {
    const commit = s.commits.get(m[1] ?? "");
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
  }),
  route("GET", /^\/git\/trees\/(.+)$/, ({ s, m, query }) => {
    // Like GitHub, a commit sha or a branch name stands for its tree.
    const key = m[1] ?? "";
    const commit = s.commits.get(key) ?? s.commits.get(s.refs.get(key) ?? "");
    const tree = s.trees.get(key) ?? (commit === undefined ? undefined : s.trees.get(commit.tree));
    if (tree === undefined) return notFound();
    const recursive = query.get("recursive") !== null;
    const entries = new Map<string, unknown>();
    for (const [p, sha] of tree) {
      const parts = p.split("/");
      // Folders appear as tree entries, as GitHub lists them.
      for (let depth = 1; depth < parts.length && (recursive || depth === 1); depth++) {
        const dir = parts.slice(0, depth).join("/");
        entries.set(dir, { path: dir, type: "tree", mode: "040000", sha: s.hash(`dir:${dir}`) });
      }
      if (recursive || parts.length === 1)
        entries.set(p, {
          path: p,
          type: "blob",
          mode: "100644",
          sha,
          size: s.blobs.get(sha)?.length ?? 0,
        });
    }
    return [200, { sha: key, truncated: false, tree: [...entries.values()] }];
  }),
  route("GET", /^\/git\/blobs\/([0-9a-f]+)$/, ({ s, m }) => {
    const blob = s.blobs.get(m[1] ?? "");
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
  }),
  route("POST", /^\/git\/blobs$/, ({ s, body }) => {
    const content =
      body.encoding === "base64"
        ? Buffer.from(String(body.content), "base64").toString("utf8")
        : String(body.content);
    return [201, { sha: s.blob(content) }];
  }),
  route("POST", /^\/git\/trees$/, ({ s, body }) => {
    const tree = new Map(body.base_tree === undefined ? [] : (s.trees.get(String(body.base_tree)) ?? []));
    // An entry names a blob by `sha`, or gives its `content` (GitHub makes the blob).
    for (const entry of body.tree as Array<{ path: string; sha?: string; content?: string }>)
      tree.set(entry.path, entry.sha ?? s.blob(String(entry.content)));
    const sha = s.hash(`tree${s.nextId()}`);
    s.trees.set(sha, tree);
    return [201, { sha }];
  }),
  route("POST", /^\/git\/commits$/, ({ s, body }) => {
    const sha = s.hash(`commit${s.nextId()}`);
    s.commits.set(sha, {
      tree: String(body.tree),
      parents: body.parents as string[],
      message: String(body.message),
      date: s.now(),
      author: BOT_LOGIN,
    });
    return [201, { sha }];
  }),
  // commits
  // The commits that changed `path` (added, edited or deleted it), newest first along first
  // parents from `sha` (default: main), paged by `page` / `per_page` like GitHub.
  route("GET", /^\/commits$/, ({ s, query }) => {
    const start = s.resolve(query.get("sha") ?? "main");
    if (start === null) return [404, { message: `No commit found for SHA: ${query.get("sha")}` }];
    const path = query.get("path");
    const perPage = Number(query.get("per_page") ?? 30);
    const page = Number(query.get("page") ?? 1);
    const shas: string[] = [];
    for (let sha: string | null = start; sha !== null;) {
      const commit = s.commits.get(sha);
      if (commit === undefined) break;
      const parent = commit.parents[0] ?? null;
      const blob = s.trees.get(commit.tree)?.get(path ?? "");
      const before = parent === null ? undefined : s.tree(parent).get(path ?? "");
      if (path === null || blob !== before) shas.push(sha);
      sha = parent;
    }
    return [200, shas.slice((page - 1) * perPage, page * perPage).map((sha) => restCommit(s, sha))];
  }),
  // The PRs that brought a commit in: on main, the PR merged as it; elsewhere, the PRs whose head
  // branch holds it (open ones included), as GitHub answers. Newest first.
  route("GET", /^\/commits\/([0-9a-f]{40})\/pulls$/, ({ s, m, query }) => {
    const sha = m[1] ?? "";
    if (!s.commits.has(sha)) return [422, { message: `No commit found for SHA: ${sha}` }];
    const onMain = s.ancestors(s.refs.get("main") ?? "").has(sha);
    const perPage = Number(query.get("per_page") ?? 30);
    const page = Number(query.get("page") ?? 1);
    return [
      200,
      s
        .pulls()
        .filter((p) => (onMain ? p.pull?.mergeSha === sha : s.ancestors(p.pull?.headSha ?? "").has(sha)))
        .reverse()
        .slice((page - 1) * perPage, page * perPage)
        .map((p) => restPull(p)),
    ];
  }),
  route("GET", /^\/compare\/(.+)\.\.\.(.+)$/, ({ s, m }) => {
    const base = s.resolve(m[1] ?? "");
    const head = s.resolve(m[2] ?? "");
    if (base === null || head === null) return notFound();
    // Through every parent, as git does: a commit that brought a branch onto a newer base has two.
    const onBase = s.ancestors(base);
    const order = [...s.commits.keys()];
    const byAge = (a: string, b: string): number => order.indexOf(a) - order.indexOf(b);
    const reachable = [...s.ancestors(head)].sort(byAge);
    const ahead = reachable.filter((sha) => !onBase.has(sha));
    const mergeBase = reachable.filter((sha) => onBase.has(sha)).at(-1);
    const files = s.diffEntries(mergeBase, head);
    const commits = ahead.map((sha) => restCommit(s, sha));
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
  }),
  // contents
  route("GET", /^\/contents\/(.*)$/, ({ s, m, query }) => {
    const sha = s.resolve(query.get("ref") ?? "main");
    if (sha === null) return notFound();
    const target = (m[1] ?? "").replace(/\/$/, "");
    const tree = s.tree(sha);
    const blob = tree.get(target);
    if (blob !== undefined) {
      const content = s.blobs.get(blob) ?? "";
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
  }),
];

import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GitHubForge } from "../../src/adapters/github/github-forge.js";
import { GitHubCache } from "../../src/adapters/github/github-cache.js";
import { GitHubLedgerBackend } from "../../src/adapters/github/github-ledger-backend.js";
import { GITHUB_API, probotOctokit, recordGitHub, type GitHubRequest } from "../helpers/github-api.js";

const REPO = "/repos/acme/gitops";
const BASE = "a".repeat(40);
const HEAD = "b".repeat(40);
const NEW = "c".repeat(40);
const OTHER = "d".repeat(40);
const BOT = "remedy[bot]";

let sent: GitHubRequest[];
let warnings: string[];

function github(): nock.Scope {
  const scope = nock(GITHUB_API);
  recordGitHub(scope, sent);
  return scope;
}

function forge(): GitHubForge {
  return new GitHubForge({
    octokit: probotOctokit(),
    owner: "acme",
    repo: "gitops",
    botLogin: BOT,
    log: { info() {}, warn: (_meta, message) => warnings.push(message) },
  });
}

const writes = () => sent.filter((request) => request.method !== "GET");
const graphqlVariables = (index = 0) =>
  (
    sent.filter((request) => request.path === "/graphql")[index]?.body as {
      variables: Record<string, unknown>;
    }
  ).variables;

function restPull(number: number, overrides: Record<string, unknown> = {}) {
  return {
    id: 1000 + number,
    node_id: `PR_kwDO${number}`,
    number,
    html_url: `https://github.com/acme/gitops/pull/${number}`,
    title: "scale checkout-api in prod: 4 → 6 replicas",
    body: "<!-- remedy:plan {} -->",
    state: "open",
    draft: false,
    merged_at: null,
    merge_commit_sha: "e".repeat(40),
    created_at: "2025-03-01T10:00:00Z",
    user: { login: BOT, type: "Bot" },
    labels: [{ id: 1, name: "remedy" }],
    head: { ref: "remedy/checkout-api-prod-scale-1a2b3c4d", sha: HEAD },
    base: { ref: "main", sha: BASE },
    ...overrides,
  };
}

/** createPullRequest's answer for PR `number`, opened by the App (GraphQL names it by its slug). */
function openedPull(number: number, overrides: Record<string, unknown> = {}) {
  return {
    data: {
      createPullRequest: {
        pullRequest: {
          id: `PR_kwDO${number}`,
          number,
          url: `https://github.com/acme/gitops/pull/${number}`,
          title: "scale",
          body: "packet",
          headRefName: "remedy/checkout-api-prod-scale-1a2b3c4d",
          baseRefName: "main",
          state: "OPEN",
          merged: false,
          mergedAt: null,
          createdAt: "2025-03-01T10:00:00Z",
          isDraft: false,
          author: { __typename: "Bot", login: "remedy" },
          labels: { nodes: [] },
          mergeCommit: null,
          ...overrides,
        },
      },
    },
  };
}

function restIssue(number: number, overrides: Record<string, unknown> = {}) {
  return {
    id: 2000 + number,
    number,
    html_url: `https://github.com/acme/gitops/issues/${number}`,
    title: "HighErrorRate checkout-api",
    body: "<!-- remedy:group abc -->\nfiring",
    state: "open",
    user: { login: BOT },
    labels: [{ id: 2, name: "incident" }],
    created_at: "2025-03-01T09:00:00Z",
    ...overrides,
  };
}

beforeAll(() => {
  nock.disableNetConnect();
});
afterAll(() => {
  nock.enableNetConnect();
});
beforeEach(() => {
  sent = [];
  warnings = [];
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
  expect(sent.flatMap((request) => request.problems)).toEqual([]);
});

describe("reads", () => {
  it("reads the default branch once per instance", async () => {
    github()
      .get(REPO)
      .reply(200, { id: 1, name: "gitops", full_name: "acme/gitops", default_branch: "trunk" });
    const f = forge();
    expect(await f.defaultBranch()).toBe("trunk");
    expect(await f.defaultBranch()).toBe("trunk");
    expect(f.requestCount).toBe(1);
  });

  it("reads a branch head, and null for a missing branch", async () => {
    github()
      .get(`${REPO}/git/ref/heads%2Fmain`)
      .reply(200, { ref: "refs/heads/main", object: { sha: BASE, type: "commit" } })
      .get(`${REPO}/git/ref/heads%2Fremedy%2Fnope`)
      .reply(404, { message: "Not Found" });
    const f = forge();
    expect(await f.branchHead("main")).toBe(BASE);
    expect(await f.branchHead("remedy/nope")).toBeNull();
  });

  it("reads a file at a branch through the contents API (base64 wrapped at 60 columns), and null when absent", async () => {
    const text = "replicaCount: 4 # é\n";
    github()
      .get(`${REPO}/contents/apps%2Fcheckout%2Fvalues-prod.yaml`)
      .query({ ref: "remedy/x" })
      .reply(200, {
        type: "file",
        encoding: "base64",
        size: text.length,
        name: "values-prod.yaml",
        path: "apps/checkout/values-prod.yaml",
        sha: "f".repeat(40),
        content: Buffer.from(text)
          .toString("base64")
          .replace(/(.{60})/g, "$1\n"),
      })
      .get(`${REPO}/contents/missing.yaml`)
      .reply(404, { message: "Not Found" });
    const f = forge();
    expect(await f.readFile("./apps/checkout/values-prod.yaml", "remedy/x")).toBe(text);
    expect(await f.readFile("missing.yaml")).toBeNull();
  });

  it("reads at a commit from its file listing, fetching a folder's files together by blob GETs, never GraphQL", async () => {
    const values = "replicaCount: 4 # é\n";
    const staging = "replicaCount: 2\n";
    const blob = (n: number) => String(n).repeat(40);
    github()
      .get(`${REPO}/git/trees/${BASE}`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: BASE,
        truncated: false,
        tree: [
          { path: "apps", type: "tree", mode: "040000", sha: blob(9) },
          { path: "apps/checkout", type: "tree", mode: "040000", sha: blob(8) },
          { path: "apps/checkout/values-prod.yaml", type: "blob", mode: "100644", sha: blob(1), size: 20 },
          { path: "apps/checkout/values-staging.yaml", type: "blob", mode: "100644", sha: blob(2), size: 16 },
          { path: "apps/checkout/logo.png", type: "blob", mode: "100644", sha: blob(3), size: 900 },
          { path: "README.md", type: "blob", mode: "100644", sha: blob(4), size: 10 },
        ],
      })
      .get(`${REPO}/git/blobs/${blob(1)}`)
      .reply(200, { sha: blob(1), encoding: "base64", content: Buffer.from(values).toString("base64") })
      .get(`${REPO}/git/blobs/${blob(2)}`)
      .reply(200, { sha: blob(2), encoding: "base64", content: Buffer.from(staging).toString("base64") });
    const f = forge();
    expect(await f.readFile("./apps/checkout/values-prod.yaml", BASE)).toBe(values);
    // Fetched with the first read, listed or absent: no more requests.
    expect(await f.readFile("apps/checkout/values-staging.yaml", BASE)).toBe(staging);
    expect(await f.readFile("apps/checkout/missing.yaml", BASE)).toBeNull();
    expect(await f.listFiles("apps/checkout/", BASE)).toEqual([
      "apps/checkout/logo.png",
      "apps/checkout/values-prod.yaml",
      "apps/checkout/values-staging.yaml",
    ]);
    expect(await f.listFiles("apps", BASE)).toEqual([]);
    // The listing and the folder's two YAML files (not the PNG, not the README): GETs only.
    expect(f.requestCount).toBe(3);
    expect(sent.every((request) => request.method === "GET")).toBe(true);
  });

  it("shares file texts between forges through the process cache, by blob id", async () => {
    const cache = new GitHubCache();
    const listing = (commit: string, oid: string) => ({
      sha: commit,
      truncated: false,
      tree: [{ path: "values.yaml", type: "blob", mode: "100644", sha: oid, size: 5 }],
    });
    github()
      .get(`${REPO}/git/trees/${BASE}`)
      .query({ recursive: "1" })
      .reply(200, listing(BASE, "1".repeat(40)))
      .get(`${REPO}/git/blobs/${"1".repeat(40)}`)
      .reply(200, {
        sha: "1".repeat(40),
        encoding: "base64",
        content: Buffer.from("a: 1\n").toString("base64"),
      })
      // A later commit where the file did not change: its listing is new, its text is not.
      .get(`${REPO}/git/trees/${HEAD}`)
      .query({ recursive: "1" })
      .reply(200, listing(HEAD, "1".repeat(40)));
    const one = new GitHubForge({
      octokit: probotOctokit(),
      owner: "acme",
      repo: "gitops",
      botLogin: BOT,
      cache,
    });
    const two = new GitHubForge({
      octokit: probotOctokit(),
      owner: "acme",
      repo: "gitops",
      botLogin: BOT,
      cache,
    });
    expect(await one.readFile("values.yaml", BASE)).toBe("a: 1\n");
    expect(await two.readFile("values.yaml", BASE)).toBe("a: 1\n");
    expect(await two.readFile("values.yaml", HEAD)).toBe("a: 1\n");
    expect(one.requestCount + two.requestCount).toBe(3);
  });

  it("falls back to the contents API when GitHub truncated the listing", async () => {
    github()
      .get(`${REPO}/git/trees/${BASE}`)
      .query({ recursive: "1" })
      .reply(200, { sha: BASE, truncated: true, tree: [] })
      .get(`${REPO}/contents/deep%2Fvalues.yaml`)
      .query({ ref: BASE })
      .reply(200, {
        type: "file",
        encoding: "base64",
        size: 5,
        name: "values.yaml",
        path: "deep/values.yaml",
        sha: "f".repeat(40),
        content: Buffer.from("a: 1\n").toString("base64"),
      });
    expect(await forge().readFile("deep/values.yaml", BASE)).toBe("a: 1\n");
  });

  it("lists only the files of a directory, and nothing for a missing one", async () => {
    github()
      .get(`${REPO}/contents/runbooks`)
      .reply(200, [
        { type: "file", name: "scale.yaml", path: "runbooks/scale.yaml", sha: "1".repeat(40), size: 10 },
        { type: "dir", name: "old", path: "runbooks/old", sha: "2".repeat(40), size: 0 },
        { type: "file", name: "image.yaml", path: "runbooks/image.yaml", sha: "3".repeat(40), size: 10 },
      ])
      .get(`${REPO}/contents/policies`)
      .reply(404, { message: "Not Found" });
    const f = forge();
    expect(await f.listFiles("runbooks/")).toEqual(["runbooks/image.yaml", "runbooks/scale.yaml"]);
    expect(await f.listFiles("policies")).toEqual([]);
  });

  it("reads a file's history through REST GETs side by side, never GraphQL", async () => {
    const big = "x".repeat(2_000_000);
    const commit = (sha: string, date: string, message: string, author: unknown, name: string) => ({
      sha,
      commit: {
        message,
        author: { name, email: "", date: "2020-01-01T00:00:00Z" },
        committer: { name: "GitHub", email: "", date },
      },
      author,
    });
    github()
      .get(`${REPO}/commits`)
      .query({ sha: BASE, path: "apps/values.yaml", per_page: "4" })
      .reply(200, [
        commit(NEW, "2025-03-04T00:00:00Z", "delete it", { login: "alice" }, "Alice A."),
        commit(HEAD, "2025-03-03T00:00:00Z", "scale to 6\n\nbody", null, "Bob B."),
        commit(OTHER, "2025-03-02T00:00:00Z", "grow", {}, "Carol C."),
        commit(BASE, "2025-03-01T00:00:00Z", "binary", { login: "dave" }, "Dave"),
      ])
      .get(`${REPO}/contents/apps%2Fvalues.yaml`)
      .query({ ref: NEW })
      .reply(404, { message: "Not Found" })
      .get(`${REPO}/contents/apps%2Fvalues.yaml`)
      .query({ ref: HEAD })
      .reply(200, {
        type: "file",
        encoding: "base64",
        size: 16,
        name: "values.yaml",
        path: "apps/values.yaml",
        sha: "9".repeat(40),
        content: Buffer.from("replicaCount: 6\n").toString("base64"),
      })
      // Over 1 MB the contents API leaves the content out; the blob has it.
      .get(`${REPO}/contents/apps%2Fvalues.yaml`)
      .query({ ref: OTHER })
      .reply(200, {
        type: "file",
        encoding: "none",
        size: big.length,
        name: "values.yaml",
        path: "apps/values.yaml",
        sha: "8".repeat(40),
        content: "",
      })
      .get(`${REPO}/git/blobs/${"8".repeat(40)}`)
      .reply(200, { sha: "8".repeat(40), encoding: "base64", content: Buffer.from(big).toString("base64") })
      .get(`${REPO}/contents/apps%2Fvalues.yaml`)
      .query({ ref: BASE })
      .reply(200, {
        type: "file",
        encoding: "base64",
        size: 4,
        name: "values.yaml",
        path: "apps/values.yaml",
        sha: "7".repeat(40),
        content: Buffer.from([0x89, 0x50, 0x00, 0x01]).toString("base64"),
      });
    for (const [sha, pulls] of [
      [NEW, [{ number: 12, user: { login: "alice" } }]],
      [HEAD, [{ number: 11, user: null }]],
      [OTHER, []],
      [
        BASE,
        [
          { number: 9, user: { login: "dave" } },
          { number: 8, user: { login: "erin" } },
        ],
      ],
    ] as const)
      github().get(`${REPO}/commits/${sha}/pulls`).query({ per_page: "1" }).reply(200, pulls);
    const f = forge();
    const history = await f.fileHistory("./apps/values.yaml", 4, BASE);
    expect(history).toEqual([
      {
        sha: NEW,
        at: "2025-03-04T00:00:00Z",
        message: "delete it",
        content: null,
        author: "alice",
        pullRequest: { number: 12, author: "alice" },
      },
      {
        sha: HEAD,
        at: "2025-03-03T00:00:00Z",
        message: "scale to 6\n\nbody",
        content: "replicaCount: 6\n",
        author: "Bob B.",
        pullRequest: { number: 11 },
      },
      { sha: OTHER, at: "2025-03-02T00:00:00Z", message: "grow", content: big, author: "Carol C." },
      {
        sha: BASE,
        at: "2025-03-01T00:00:00Z",
        message: "binary",
        content: null,
        author: "dave",
        pullRequest: { number: 9, author: "dave" },
      },
    ]);
    expect(sent.filter((request) => request.method !== "GET")).toEqual([]);
    expect(f.requestCount).toBe(10);
    // At a commit sha the history is immutable: read again, it costs nothing.
    expect(await f.fileHistory("apps/values.yaml", 4, BASE)).toEqual(history);
    expect(f.requestCount).toBe(10);
  });

  it("reads a version's text from the commit's cached listing when there is one", async () => {
    const blob = "6".repeat(40);
    github()
      .get(`${REPO}/git/trees/${HEAD}`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: HEAD,
        truncated: false,
        tree: [{ path: "apps/values.yaml", type: "blob", mode: "100644", sha: blob, size: 16 }],
      })
      .get(`${REPO}/git/blobs/${blob}`)
      .reply(200, {
        sha: blob,
        encoding: "base64",
        content: Buffer.from("replicaCount: 6\n").toString("base64"),
      })
      .get(`${REPO}/commits`)
      .query({ path: "apps/values.yaml", per_page: "1" })
      .reply(200, [
        {
          sha: HEAD,
          commit: {
            message: "scale to 6",
            author: { name: "Bob", email: "", date: "2025-03-01T00:00:00Z" },
            committer: { name: "GitHub", email: "", date: "2025-03-02T00:00:00Z" },
          },
          author: { login: "bob" },
        },
      ])
      .get(`${REPO}/commits/${HEAD}/pulls`)
      .query({ per_page: "1" })
      .reply(200, []);
    const f = forge();
    expect(await f.readFile("apps/values.yaml", HEAD)).toBe("replicaCount: 6\n");
    // No ref: GitHub lists from the default branch; the listing and the blob of HEAD are known.
    expect(await f.fileHistory("apps/values.yaml", 1)).toEqual([
      {
        sha: HEAD,
        at: "2025-03-02T00:00:00Z",
        message: "scale to 6",
        content: "replicaCount: 6\n",
        author: "bob",
      },
    ]);
    expect(f.requestCount).toBe(4);
  });

  it("has no history for a ref that names nothing", async () => {
    github()
      .get(`${REPO}/commits`)
      .query({ sha: OTHER, path: "apps/values.yaml", per_page: "5" })
      .reply(404, { message: "No commit found for SHA: dddd" });
    expect(await forge().fileHistory("apps/values.yaml", 5, OTHER)).toEqual([]);
  });
});

describe("createBranch", () => {
  it("creates the branch from a sha", async () => {
    github()
      .post(`${REPO}/git/refs`)
      .reply(201, { ref: "refs/heads/remedy/x", object: { sha: BASE } });
    expect(await forge().createBranch("remedy/x", BASE)).toBe("created");
    expect(writes()[0]?.body).toEqual({ ref: "refs/heads/remedy/x", sha: BASE });
  });

  it('answers "exists" when the reference already exists', async () => {
    github().post(`${REPO}/git/refs`).reply(422, {
      message: "Reference already exists",
      documentation_url: "https://docs.github.com/rest/git/refs#create-a-reference",
      status: "422",
    });
    expect(await forge().createBranch("remedy/x", BASE)).toBe("exists");
  });

  it("reconciles a 502 by reading the ref instead of posting again", async () => {
    github()
      .post(`${REPO}/git/refs`)
      .reply(502, { message: "Server Error" })
      .get(`${REPO}/git/ref/heads%2Fremedy%2Fx`)
      .reply(200, { ref: "refs/heads/remedy/x", object: { sha: BASE, type: "commit" } });
    const f = forge();
    expect(await f.createBranch("remedy/x", BASE)).toBe("created");
    expect(writes()).toHaveLength(1);
    expect(f.requestCount).toBe(2);
  });

  it("passes the error on when the ambiguous create left no branch", async () => {
    github()
      .post(`${REPO}/git/refs`)
      .replyWithError("socket hang up")
      .get(`${REPO}/git/ref/heads%2Fremedy%2Fx`)
      .reply(404, { message: "Not Found" });
    await expect(forge().createBranch("remedy/x", BASE)).rejects.toThrow();
    expect(writes()).toHaveLength(1);
  });
});

describe("commitFile", () => {
  const input = {
    branch: "remedy/x",
    expectedHeadSha: HEAD,
    path: "apps/values.yaml",
    content: "replicaCount: 6 # é\n",
    message: "scale checkout-api in prod: 4 → 6 replicas\n\nRunbook scale.\n\nRemedy-Incident: #12",
  };

  it("commits with createCommitOnBranch, compare-and-swap on the head", async () => {
    github()
      .post("/graphql")
      .reply(200, { data: { createCommitOnBranch: { commit: { oid: NEW } } } });
    expect(await forge().commitFile(input)).toEqual({ ok: true, sha: NEW });
    expect(graphqlVariables()).toEqual({
      input: {
        branch: { repositoryNameWithOwner: "acme/gitops", branchName: "remedy/x" },
        expectedHeadOid: HEAD,
        message: {
          headline: "scale checkout-api in prod: 4 → 6 replicas",
          body: "Runbook scale.\n\nRemedy-Incident: #12",
        },
        fileChanges: {
          additions: [{ path: "apps/values.yaml", contents: Buffer.from(input.content).toString("base64") }],
        },
      },
    });
  });

  it("answers stale-head when the branch moved", async () => {
    github()
      .post("/graphql")
      .reply(200, {
        data: { createCommitOnBranch: null },
        errors: [
          {
            type: "STALE_DATA",
            path: ["createCommitOnBranch"],
            locations: [{ line: 2, column: 3 }],
            message: `Expected branch to point to "${HEAD}" but it did not. Pull and try again.`,
          },
        ],
      });
    expect(await forge().commitFile(input)).toEqual({ ok: false, reason: "stale-head" });
  });

  it("after a 502, finds its own commit on the branch instead of committing twice", async () => {
    github()
      .post("/graphql")
      .reply(502, "Bad Gateway")
      .get(`${REPO}/git/ref/heads%2Fremedy%2Fx`)
      .reply(200, { ref: "refs/heads/remedy/x", object: { sha: NEW, type: "commit" } })
      .get(`${REPO}/git/commits/${NEW}`)
      .reply(200, {
        sha: NEW,
        message: input.message,
        parents: [{ sha: HEAD }],
        tree: { sha: "1".repeat(40) },
      });
    expect(await forge().commitFile(input)).toEqual({ ok: true, sha: NEW });
    expect(sent.filter((request) => request.path === "/graphql")).toHaveLength(1);
  });

  it("after a 502 with the head unchanged, sends again under the same compare-and-swap", async () => {
    github()
      .post("/graphql")
      .reply(502, "Bad Gateway")
      .get(`${REPO}/git/ref/heads%2Fremedy%2Fx`)
      .reply(200, { ref: "refs/heads/remedy/x", object: { sha: HEAD, type: "commit" } })
      .post("/graphql")
      .reply(200, { data: { createCommitOnBranch: { commit: { oid: NEW } } } });
    expect(await forge().commitFile(input)).toEqual({ ok: true, sha: NEW });
    expect((graphqlVariables(1).input as { expectedHeadOid: string }).expectedHeadOid).toBe(HEAD);
  });

  it("after a 502 with someone else's commit on the branch, answers stale-head", async () => {
    github()
      .post("/graphql")
      .reply(502, "Bad Gateway")
      .get(`${REPO}/git/ref/heads%2Fremedy%2Fx`)
      .reply(200, { ref: "refs/heads/remedy/x", object: { sha: OTHER, type: "commit" } })
      .get(`${REPO}/git/commits/${OTHER}`)
      .reply(200, {
        sha: OTHER,
        message: "a person's fix",
        parents: [{ sha: HEAD }],
        tree: { sha: "1".repeat(40) },
      });
    expect(await forge().commitFile(input)).toEqual({ ok: false, reason: "stale-head" });
  });
});

describe("pull requests", () => {
  const open = {
    head: "remedy/checkout-api-prod-scale-1a2b3c4d",
    base: "main",
    title: "scale",
    body: "packet",
  };

  const isOpen = (body: { query: string }) => body.query.includes("mutation RemedyOpenPullRequest");
  const repository = {
    id: 1,
    node_id: "R_kgDO1",
    name: "gitops",
    full_name: "acme/gitops",
    default_branch: "main",
  };
  const refused = (type: string, message: string) => ({
    data: { createPullRequest: null },
    errors: [{ type, path: ["createPullRequest"], message }],
  });

  it("opens a PR through GraphQL createPullRequest, with the repository id from one REST read", async () => {
    github().get(REPO).reply(200, repository).post("/graphql", isOpen).times(2).reply(200, openedPull(7));
    const f = forge();
    const pr = await f.openPullRequest(open);
    expect(pr).toEqual({
      number: 7,
      url: "https://github.com/acme/gitops/pull/7",
      title: "scale",
      body: "packet",
      head: open.head,
      base: "main",
      state: "open",
      merged: false,
      mergeSha: null,
      mergedAt: null,
      createdAt: "2025-03-01T10:00:00Z",
      labels: [],
      // GraphQL says "remedy" for the App; the forge says what REST says, as botLogin does.
      author: BOT,
      draft: false,
    });
    expect(writes()).toHaveLength(1);
    expect(graphqlVariables()).toEqual({
      input: {
        repositoryId: "R_kgDO1",
        headRefName: open.head,
        baseRefName: "main",
        title: "scale",
        body: "packet",
        draft: false,
      },
    });
    // The repository id is read once; the default branch came with it.
    await f.openPullRequest({ ...open, head: "remedy/other" });
    expect(await f.defaultBranch()).toBe("main");
    expect(sent.filter((r) => r.method === "GET")).toHaveLength(1);
  });

  it("names a person who opened it by login, without [bot]", async () => {
    github()
      .get(REPO)
      .reply(200, repository)
      .post("/graphql", isOpen)
      .reply(200, openedPull(7, { author: { __typename: "User", login: "alice" } }));
    expect((await forge().openPullRequest(open)).author).toBe("alice");
  });

  it("finds the existing PR when GitHub says one already exists", async () => {
    github()
      .get(REPO)
      .reply(200, repository)
      .post("/graphql", isOpen)
      .reply(200, refused("UNPROCESSABLE", `A pull request already exists for acme:${open.head}.`))
      .get(`${REPO}/pulls`)
      .query({ head: `acme:${open.head}`, state: "all", per_page: 100 })
      .reply(200, [restPull(7)]);
    expect((await forge().openPullRequest(open)).number).toBe(7);
  });

  it("throws GitHub's other refusals as they came, without reading back", async () => {
    github()
      .get(REPO)
      .reply(200, repository)
      .post("/graphql", isOpen)
      .reply(200, refused("UNPROCESSABLE", `No commits between main and ${open.head}`));
    await expect(forge().openPullRequest(open)).rejects.toThrow(/No commits between/);
    expect(sent.filter((r) => r.path.endsWith("/pulls"))).toEqual([]);
  });

  it("reconciles a 503 on createPullRequest by finding the PR, without a second mutation", async () => {
    github()
      .get(REPO)
      .reply(200, repository)
      .post("/graphql", isOpen)
      .reply(503, { message: "Service Unavailable" })
      .get(`${REPO}/pulls`)
      .query({ head: `acme:${open.head}`, state: "all", per_page: 100 })
      .reply(200, [restPull(7)]);
    const f = forge();
    expect((await f.openPullRequest(open)).number).toBe(7);
    expect(writes()).toHaveLength(1);
    expect(f.requestCount).toBe(3);
    expect(warnings).toHaveLength(1);
  });

  it("prefers the open PR for a head over an older closed one", async () => {
    github()
      .get(`${REPO}/pulls`)
      .query({ head: "acme:remedy/x", state: "all", per_page: 100 })
      .reply(200, [restPull(9, { state: "closed" }), restPull(8)])
      .get(`${REPO}/pulls`)
      .query({ head: "acme:remedy/none", state: "all", per_page: 100 })
      .reply(200, []);
    const f = forge();
    expect((await f.findPullRequest("remedy/x"))?.number).toBe(8);
    expect(await f.findPullRequest("remedy/none")).toBeNull();
  });

  it("gets a merged PR, and null for a missing one", async () => {
    github()
      .get(`${REPO}/pulls/7`)
      .reply(200, restPull(7, { state: "closed", merged_at: "2025-03-01T11:00:00Z" }))
      .get(`${REPO}/pulls/8`)
      .reply(404, { message: "Not Found" });
    const f = forge();
    expect(await f.getPullRequest(7)).toMatchObject({
      state: "closed",
      merged: true,
      mergeSha: "e".repeat(40),
      mergedAt: "2025-03-01T11:00:00Z",
    });
    expect(await f.getPullRequest(8)).toBeNull();
  });

  it("updates a PR body and lists its files (both sides of a rename)", async () => {
    github()
      .patch(`${REPO}/pulls/7`)
      .reply(200, restPull(7))
      .get(`${REPO}/pulls/7/files`)
      .query({ per_page: 100 })
      .reply(200, [
        {
          sha: "1".repeat(40),
          filename: "apps/values.yaml",
          status: "modified",
          additions: 1,
          deletions: 1,
          changes: 2,
        },
        {
          sha: "2".repeat(40),
          filename: "apps/new.yaml",
          previous_filename: "apps/old.yaml",
          status: "renamed",
          additions: 0,
          deletions: 0,
          changes: 0,
        },
      ]);
    const f = forge();
    await f.updatePullRequestBody(7, "new packet");
    expect(writes()[0]?.body).toEqual({ body: "new packet" });
    expect(await f.pullRequestFiles(7)).toEqual(["apps/values.yaml", "apps/new.yaml", "apps/old.yaml"]);
  });

  it("lists every open Remedy PR and the recent ones, newest first, stopping at the first one older than since, with GETs only", async () => {
    const pull = (number: number, created_at: string, overrides: Record<string, unknown> = {}) =>
      restPull(number, {
        created_at,
        head: { ref: `remedy/h${number}`, sha: HEAD },
        labels: [{ name: "remedy" }, { name: "env:prod" }],
        ...overrides,
      });
    const merged = { state: "closed", merged_at: "2025-03-01T12:00:00Z", merge_commit_sha: NEW };
    const listing = (state: string, page: number) => ({
      state,
      sort: "created",
      direction: "desc",
      per_page: "100",
      page: String(page),
    });
    github()
      .get(`${REPO}/pulls`)
      .query(listing("open", 1))
      // An old PR still open counts for the one-PR-per-field rule; someone's own PR is not Remedy's.
      .reply(200, [
        pull(7, "2025-03-03T00:00:00Z", { labels: [{ name: "docs" }] }),
        pull(6, "2025-03-02T00:00:00Z"),
        pull(2, "2024-12-01T00:00:00Z"),
      ])
      .get(`${REPO}/pulls`)
      .query(listing("all", 1))
      .reply(
        200,
        // A full page: the next one is read, and stops at the first PR older than since.
        Array.from({ length: 100 }, (_, i) =>
          i === 0
            ? pull(6, "2025-03-02T00:00:00Z")
            : i === 1
              ? pull(5, "2025-03-01T00:00:00Z", merged)
              : pull(500 - i, "2025-02-20T00:00:00Z", { labels: [] }),
        ),
      )
      .get(`${REPO}/pulls`)
      .query(listing("all", 2))
      .reply(200, [pull(4, "2025-02-01T00:00:00Z"), pull(3, "2025-01-01T00:00:00Z")]);
    const prs = await forge().listRemedyPullRequests("2025-02-15T00:00:00Z");
    expect(prs.map((pr) => pr.number)).toEqual([6, 5, 2]);
    expect(sent.every((request) => request.method === "GET")).toBe(true);
    expect(prs[1]).toMatchObject({
      state: "closed",
      merged: true,
      mergeSha: NEW,
      head: "remedy/h5",
      author: BOT,
      labels: ["remedy", "env:prod"],
    });
  });

  it("requests user and team reviewers in one call", async () => {
    github().post(`${REPO}/pulls/7/requested_reviewers`).reply(201, restPull(7));
    await forge().requestReviewers(7, { users: ["alice"], teams: ["sre"] });
    expect(writes()[0]?.body).toEqual({ reviewers: ["alice"], team_reviewers: ["sre"] });
  });

  it("asks reviewers one by one when a non-collaborator makes GitHub refuse the request", async () => {
    const refused = {
      message:
        "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the acme/gitops repository.",
      documentation_url:
        "https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request",
      status: "422",
    };
    github()
      .post(`${REPO}/pulls/7/requested_reviewers`, {
        reviewers: ["alice", "mallory"],
        team_reviewers: ["sre"],
      })
      .reply(422, refused)
      .post(`${REPO}/pulls/7/requested_reviewers`, { reviewers: ["alice"], team_reviewers: [] })
      .reply(201, restPull(7))
      .post(`${REPO}/pulls/7/requested_reviewers`, { reviewers: ["mallory"], team_reviewers: [] })
      .reply(422, refused)
      .post(`${REPO}/pulls/7/requested_reviewers`, { reviewers: [], team_reviewers: ["sre"] })
      .reply(201, restPull(7));
    await forge().requestReviewers(7, { users: ["alice", "mallory"], teams: ["sre"] });
    expect(warnings).toEqual(["review request refused; continuing", "review request refused; continuing"]);
  });

  it("sends nothing when there is nobody to ask", async () => {
    const f = forge();
    await f.requestReviewers(7, { users: [], teams: [] });
    expect(f.requestCount).toBe(0);
  });

  it("enables auto-merge with the PR's node id, and only logs when GitHub refuses", async () => {
    github()
      .get(`${REPO}/pulls/7`)
      .reply(200, restPull(7))
      .post("/graphql")
      .reply(200, { data: { enablePullRequestAutoMerge: { clientMutationId: null } } })
      .post("/graphql")
      .reply(200, {
        data: { enablePullRequestAutoMerge: null },
        errors: [
          {
            type: "UNPROCESSABLE",
            path: ["enablePullRequestAutoMerge"],
            message: "Pull request Auto merge is not allowed for this repository",
          },
        ],
      });
    const f = forge();
    await f.enableAutoMerge(7);
    expect(graphqlVariables()).toEqual({ id: "PR_kwDO7" });
    await f.enableAutoMerge(7);
    expect(warnings).toEqual(["could not enable auto-merge"]);
    expect(f.requestCount).toBe(3);
  });

  it("disables auto-merge with the PR's node id (a schema-checked mutation), answering false when refused", async () => {
    github()
      .get(`${REPO}/pulls/7`)
      .reply(200, restPull(7))
      .post("/graphql")
      .reply(200, { data: { disablePullRequestAutoMerge: { clientMutationId: null } } })
      .post("/graphql")
      .reply(200, {
        data: { disablePullRequestAutoMerge: null },
        errors: [
          { type: "FORBIDDEN", path: ["disablePullRequestAutoMerge"], message: "Resource not accessible" },
        ],
      });
    const f = forge();
    expect(await f.disableAutoMerge(7)).toBe(true);
    expect(graphqlVariables()).toEqual({ id: "PR_kwDO7" });
    expect(JSON.stringify(sent.find((r) => r.path === "/graphql")?.body)).toContain(
      "disablePullRequestAutoMerge",
    );
    expect(sent.flatMap((r) => r.problems)).toEqual([]);
    expect(await f.disableAutoMerge(7)).toBe(false);
    expect(warnings).toEqual(["could not disable auto-merge"]);
  });
});

describe("issues and comments", () => {
  it("gets, creates and closes an issue", async () => {
    github()
      .get(`${REPO}/issues/12`)
      .reply(200, restIssue(12))
      .get(`${REPO}/issues/13`)
      .reply(404, { message: "Not Found" })
      .post(`${REPO}/issues`)
      .reply(201, restIssue(14))
      .patch(`${REPO}/issues/14`)
      .reply(200, restIssue(14, { state: "closed" }));
    const f = forge();
    expect(await f.getIssue(12)).toEqual({
      number: 12,
      url: "https://github.com/acme/gitops/issues/12",
      title: "HighErrorRate checkout-api",
      body: "<!-- remedy:group abc -->\nfiring",
      state: "open",
      labels: ["incident"],
      author: BOT,
      createdAt: "2025-03-01T09:00:00Z",
    });
    expect(await f.getIssue(13)).toBeNull();
    expect((await f.createIssue({ title: "t", body: "b", labels: ["incident"] })).number).toBe(14);
    await f.closeIssue(14);
    expect(writes().map((request) => request.body)).toEqual([
      { title: "t", body: "b", labels: ["incident"] },
      { state: "closed", state_reason: "completed" },
    ]);
  });

  it("finds an open incident issue by its marker, skipping pull requests", async () => {
    github()
      .get(`${REPO}/issues`)
      .query({ labels: "incident", state: "open", per_page: 100 })
      .reply(200, [
        restIssue(20, {
          body: "<!-- remedy:group abc -->",
          pull_request: { url: "https://api.github.com/repos/acme/gitops/pulls/20" },
        }),
        restIssue(21, { body: "something else" }),
        restIssue(22, { body: "x <!-- remedy:group abc --> y" }),
      ]);
    expect((await forge().findIssue("incident", "<!-- remedy:group abc -->"))?.number).toBe(22);
  });

  it("adds labels and ignores removing a label that is not there", async () => {
    github()
      .post(`${REPO}/issues/7/labels`)
      .reply(200, [{ name: "remedy" }])
      .delete(`${REPO}/issues/7/labels/needs-human`)
      .reply(404, { message: "Label does not exist" });
    const f = forge();
    await f.addLabels(7, ["remedy", "env:prod"]);
    await f.removeLabel(7, "needs-human");
    expect(writes()[0]?.body).toEqual({ labels: ["remedy", "env:prod"] });
  });

  it("comments", async () => {
    github()
      .post(`${REPO}/issues/12/comments`)
      .reply(201, { id: 555, body: "hi", user: { login: BOT } });
    expect(await forge().comment(12, "hi")).toEqual({ id: 555 });
  });

  it("after a 500 on a comment, finds the comment that landed instead of posting twice", async () => {
    github()
      .post(`${REPO}/issues/12/comments`)
      .reply(500, { message: "Server Error" })
      .get(`${REPO}/issues/12/comments`)
      .query((query) => typeof query.since === "string" && query.per_page === "100")
      .reply(200, [
        { id: 3, body: "hi", user: { login: "alice" } },
        { id: 4, body: "hi", user: { login: BOT } },
      ]);
    expect(await forge().comment(12, "hi")).toEqual({ id: 4 });
    expect(writes()).toHaveLength(1);
  });

  it("after a 502 on an issue create, takes its own identical issue that landed, not a look-alike", async () => {
    github()
      .post(`${REPO}/issues`)
      .reply(502, { message: "Bad Gateway" })
      .get(`${REPO}/issues`)
      .query({
        creator: BOT,
        state: "open",
        sort: "created",
        direction: "desc",
        per_page: 10,
        labels: "incident",
      })
      .reply(200, [
        restIssue(30, {
          title: "t",
          body: "b",
          pull_request: { url: "https://api.github.com/repos/acme/gitops/pulls/30" },
        }),
        restIssue(31, { title: "t", body: "b, edited" }),
        restIssue(32, { title: "t", body: "b" }),
      ]);
    expect((await forge().createIssue({ title: "t", body: "b", labels: ["incident"] })).number).toBe(32);
    expect(writes()).toHaveLength(1);
    expect(warnings).toEqual(["ambiguous issue create; reconciled by reading"]);
  });

  it("passes on the 502 when no issue of its own landed, and a 422 without reading at all", async () => {
    github()
      .post(`${REPO}/issues`)
      .reply(502, { message: "Bad Gateway" })
      .get(`${REPO}/issues`)
      .query(true)
      .reply(200, [restIssue(31, { title: "t", body: "something else" })])
      .post(`${REPO}/issues`)
      .reply(422, { message: "Validation Failed" });
    const f = forge();
    await expect(f.createIssue({ title: "t", body: "b", labels: [] })).rejects.toMatchObject({ status: 502 });
    await expect(f.createIssue({ title: "t", body: "b", labels: [] })).rejects.toMatchObject({ status: 422 });
    expect(sent.map((request) => request.method)).toEqual(["POST", "GET", "POST"]);
  });

  it("updates its own marked comment in place, not a person's quoting the marker", async () => {
    github()
      .get(`${REPO}/issues/12/comments`)
      .query({ per_page: 100 })
      .reply(200, [
        { id: 1, body: "> <!-- remedy:decision -->\nquoted", user: { login: "alice" } },
        { id: 2, body: "<!-- remedy:decision -->\nold", user: { login: BOT } },
      ])
      .patch(`${REPO}/issues/comments/2`, { body: "<!-- remedy:decision -->\nnew" })
      .reply(200, { id: 2 });
    expect(
      await forge().upsertComment(12, "<!-- remedy:decision -->", "<!-- remedy:decision -->\nnew"),
    ).toEqual({ id: 2 });
    expect(writes()).toHaveLength(1);
  });

  it("creates the marked comment when there is none", async () => {
    github()
      .get(`${REPO}/issues/12/comments`)
      .query({ per_page: 100 })
      .reply(200, [])
      .post(`${REPO}/issues/12/comments`, { body: "<!-- m -->\nnew" })
      .reply(201, { id: 9 });
    expect(await forge().upsertComment(12, "<!-- m -->", "<!-- m -->\nnew")).toEqual({ id: 9 });
  });
});

describe("check runs", () => {
  it("creates a check run with external id and caps the summary at 65,535 characters", async () => {
    github().post(`${REPO}/check-runs`).reply(201, { id: 77, name: "remedy/verify", head_sha: NEW });
    const id = await forge().createCheckRun({
      name: "remedy/verify",
      headSha: NEW,
      status: "in_progress",
      title: "Verifying",
      summary: "x".repeat(70_000),
      externalId: "acme/gitops#7",
    });
    expect(id).toEqual({ id: 77 });
    const body = writes()[0]?.body as { output: { summary: string } };
    expect(body).toMatchObject({
      name: "remedy/verify",
      head_sha: NEW,
      status: "in_progress",
      external_id: "acme/gitops#7",
      output: { title: "Verifying" },
    });
    expect(body.output.summary.length).toBe(65_535);
  });

  it("updates a check run to completed", async () => {
    github().patch(`${REPO}/check-runs/77`).reply(200, { id: 77 });
    await forge().updateCheckRun(77, {
      status: "completed",
      conclusion: "neutral",
      title: "Inconclusive",
      summary: "no data",
    });
    expect(writes()[0]?.body).toEqual({
      status: "completed",
      conclusion: "neutral",
      output: { title: "Inconclusive", summary: "no data" },
    });
  });

  it("lists all runs of a name on a commit, newest first", async () => {
    const run = (id: number, status: string, conclusion: string | null) => ({
      id,
      name: "remedy/verify",
      head_sha: NEW,
      status,
      conclusion,
      external_id: "acme/gitops#7",
      output: { title: "t", summary: "s", text: null, annotations_count: 0, annotations_url: "" },
    });
    github()
      .get(`${REPO}/commits/${NEW}/check-runs`)
      .query({ check_name: "remedy/verify", filter: "all", per_page: 100 })
      .reply(200, {
        total_count: 2,
        check_runs: [run(1, "completed", "failure"), run(2, "in_progress", null)],
      });
    expect(await forge().listCheckRuns(NEW, "remedy/verify")).toEqual([
      {
        id: 2,
        name: "remedy/verify",
        headSha: NEW,
        status: "in_progress",
        title: "t",
        summary: "s",
        externalId: "acme/gitops#7",
      },
      {
        id: 1,
        name: "remedy/verify",
        headSha: NEW,
        status: "completed",
        conclusion: "failure",
        title: "t",
        summary: "s",
        externalId: "acme/gitops#7",
      },
    ]);
  });
});

describe("permission", () => {
  it("reads role_name, caches it, and maps a 404 to none", async () => {
    github()
      .get(`${REPO}/collaborators/alice/permission`)
      .reply(200, { permission: "write", role_name: "maintain", user: { login: "alice" } })
      .get(`${REPO}/collaborators/eve/permission`)
      .reply(404, { message: "Not Found" });
    const f = forge();
    expect(await f.permission("alice")).toBe("maintain");
    expect(await f.permission("alice")).toBe("maintain");
    expect(await f.permission("eve")).toBe("none");
    expect(f.requestCount).toBe(2);
  });

  it("maps a custom role through its legacy permission", async () => {
    github()
      .get(`${REPO}/collaborators/bob/permission`)
      .reply(200, { permission: "read", role_name: "incident-commenter", user: { login: "bob" } });
    expect(await forge().permission("bob")).toBe("read");
  });
});

describe("protection", () => {
  const classic = `${REPO}/branches/main/protection`;

  it("reads the pull_request rules of active rulesets", async () => {
    github()
      .get(`${REPO}/rules/branches/main`)
      .query({ per_page: 100 })
      .reply(200, [
        {
          type: "pull_request",
          ruleset_source_type: "Repository",
          ruleset_source: "acme/gitops",
          ruleset_id: 1,
          parameters: {
            required_approving_review_count: 1,
            require_code_owner_review: false,
            dismiss_stale_reviews_on_push: true,
            require_last_push_approval: false,
            required_review_thread_resolution: false,
          },
        },
        {
          type: "pull_request",
          ruleset_source_type: "Organization",
          ruleset_source: "acme",
          ruleset_id: 2,
          parameters: {
            required_approving_review_count: 2,
            require_code_owner_review: true,
            dismiss_stale_reviews_on_push: false,
            require_last_push_approval: false,
            required_review_thread_resolution: false,
          },
        },
        { type: "deletion", ruleset_source_type: "Repository", ruleset_source: "acme/gitops", ruleset_id: 1 },
      ]);
    expect(await forge().protection("main")).toEqual({
      readable: true,
      requiredApprovals: 2,
      requiresCodeOwners: true,
      detail: "ok: ruleset requires 2 approving reviews and code owner review",
    });
  });

  it("falls back to classic branch protection", async () => {
    github()
      .get(`${REPO}/rules/branches/main`)
      .query({ per_page: 100 })
      .reply(200, [])
      .get(classic)
      .reply(200, {
        url: "",
        required_pull_request_reviews: {
          url: "",
          required_approving_review_count: 1,
          require_code_owner_reviews: false,
          dismiss_stale_reviews: false,
        },
      });
    expect(await forge().protection("main")).toEqual({
      readable: true,
      requiredApprovals: 1,
      requiresCodeOwners: false,
      detail: "ok: classic branch protection requires 1 approving review",
    });
  });

  it("reports an unprotected branch as readable with no required review", async () => {
    github()
      .get(`${REPO}/rules/branches/main`)
      .query({ per_page: 100 })
      .reply(200, [])
      .get(classic)
      .reply(404, { message: "Branch not protected" });
    expect(await forge().protection("main")).toMatchObject({ readable: true, requiredApprovals: 0 });
  });

  it("ignores classic protection it may not read (no Administration permission)", async () => {
    github()
      .get(`${REPO}/rules/branches/main`)
      .query({ per_page: 100 })
      .reply(200, [])
      .get(classic)
      .reply(403, { message: "Resource not accessible by integration" });
    const protection = await forge().protection("main");
    expect(protection).toMatchObject({ readable: true, requiredApprovals: 0 });
    expect(protection.detail).toMatch(/^ok: /);
  });

  it("reports unreadable rules as unverified, never as protected", async () => {
    github()
      .get(`${REPO}/rules/branches/main`)
      .query({ per_page: 100 })
      .reply(403, { message: "Resource not accessible by integration" });
    const protection = await forge().protection("main");
    expect(protection).toMatchObject({ readable: false, requiredApprovals: 0, requiresCodeOwners: false });
    expect(protection.detail).toContain("403");
  });
});

describe("ledger", () => {
  it("is the GitHub ledger backend on the same repository", async () => {
    github()
      .post("/graphql", (body: { query: string }) => body.query.includes("RemedyLedger"))
      .reply(200, { data: { repository: { ref: null } } });
    const f = forge();
    expect(f.ledger).toBeInstanceOf(GitHubLedgerBackend);
    expect(await f.ledger.load()).toEqual({ text: "", version: null });
    expect(f.requestCount).toBe(1);
  });
});

describe("finishPullRequest", () => {
  const CHECK = {
    name: "remedy/policy",
    headSha: HEAD,
    status: "completed" as const,
    conclusion: "success" as const,
    title: "Policy allows",
    summary: "ok",
  };
  const LINK = { issue: 3, marker: "<!-- remedy:proposal -->", body: "<!-- remedy:proposal -->\nopened #7" };
  const context = (comments: Array<{ id: string; body: string; login: string }> = []) => ({
    data: {
      repository: {
        id: "R_1",
        labels: { nodes: ["remedy", "env:prod"].map((name) => ({ id: `LA_${name}`, name })) },
        issue: {
          id: "I_3",
          comments: { nodes: comments.map((c) => ({ id: c.id, body: c.body, author: { login: c.login } })) },
        },
      },
      organization: { t0: { id: "T_sre" } },
      u0: { id: "U_alice" },
    },
  });
  const isContext = (body: { query: string }) => body.query.includes("RemedyFinishContext");
  const isFinish = (body: { query: string }) => body.query.includes("mutation RemedyFinish");

  async function opened(f: GitHubForge) {
    github()
      .get(REPO)
      .reply(200, { id: 1, node_id: "R_1", name: "gitops", full_name: "acme/gitops", default_branch: "main" })
      .post("/graphql", (body: { query: string }) => body.query.includes("RemedyOpenPullRequest"))
      .reply(200, openedPull(7));
    const pr = await f.openPullRequest({ head: "remedy/x", base: "main", title: "t", body: "b" });
    // What the finish sends is recorded from here on (the open was a REST read and a mutation).
    sent.length = 0;
    return pr;
  }

  it("sends labels, reviewers, the check run, auto-merge and the incident link as one mutation", async () => {
    const f = forge();
    const pr = await opened(f);
    github()
      .post("/graphql", isContext)
      .reply(200, context())
      .post("/graphql", isFinish)
      .reply(200, {
        data: {
          labels: { clientMutationId: null },
          reviews: { clientMutationId: null },
          check: { checkRun: { databaseId: 5 } },
          autoMerge: { clientMutationId: null },
          link: { clientMutationId: null },
        },
      });
    await f.finishPullRequest(pr, {
      labels: ["remedy", "env:prod"],
      reviewers: { users: ["alice"], teams: ["sre"] },
      checkRun: CHECK,
      autoMerge: true,
      link: LINK,
    });
    // Two to open it, two to finish it.
    expect(f.requestCount).toBe(4);
    expect(graphqlVariables(0)).toMatchObject({ owner: "acme", issue: 3, withIssue: true, withTeams: true });
    expect(graphqlVariables(1)).toEqual({
      labels: { labelableId: "PR_kwDO7", labelIds: ["LA_remedy", "LA_env:prod"] },
      reviews: { pullRequestId: "PR_kwDO7", userIds: ["U_alice"], teamIds: ["T_sre"], union: true },
      check: {
        repositoryId: "R_1",
        headSha: HEAD,
        name: "remedy/policy",
        status: "COMPLETED",
        conclusion: "SUCCESS",
        output: { title: "Policy allows", summary: "ok" },
      },
      autoMerge: { pullRequestId: "PR_kwDO7" },
      link: { subjectId: "I_3", body: LINK.body },
    });
  });

  it("updates the bot's own link comment in place, never a person's quoting the marker", async () => {
    const f = forge();
    const pr = await opened(f);
    github()
      .post("/graphql", isContext)
      .reply(
        200,
        context([
          { id: "IC_1", body: `quoting ${LINK.marker}`, login: "alice" },
          { id: "IC_2", body: `${LINK.marker}\nold`, login: "remedy" },
        ]),
      )
      .post("/graphql", isFinish)
      .reply(200, { data: { check: { checkRun: { databaseId: 5 } }, link: { clientMutationId: null } } });
    await f.finishPullRequest(pr, {
      labels: [],
      reviewers: { users: [], teams: [] },
      checkRun: CHECK,
      autoMerge: false,
      link: LINK,
    });
    const finish = sent.filter((r) => r.path === "/graphql")[1]?.body as { query: string };
    expect(finish.query).toContain("updateIssueComment");
    expect(graphqlVariables(1).link).toEqual({ id: "IC_2", body: LINK.body });
  });

  it("sends what GitHub refused, and labels it does not have yet, again through REST", async () => {
    const f = forge();
    const pr = await opened(f);
    github()
      .post("/graphql", isContext)
      .reply(200, context())
      .post("/graphql", isFinish)
      .reply(200, {
        data: { reviews: null, check: { checkRun: { databaseId: 5 } } },
        errors: [{ path: ["reviews"], type: "UNPROCESSABLE", message: "not a collaborator" }],
      })
      .post(`${REPO}/issues/7/labels`, { labels: ["remedy", "service:checkout"] })
      .reply(200, [])
      .post(`${REPO}/pulls/7/requested_reviewers`, { reviewers: ["alice"], team_reviewers: [] })
      .reply(201, restPull(7));
    await f.finishPullRequest(pr, {
      labels: ["remedy", "service:checkout"],
      reviewers: { users: ["alice"], teams: [] },
      checkRun: CHECK,
      autoMerge: false,
    });
    // The labels went by REST only (one was unknown), so the mutation did not carry them.
    expect(Object.keys(graphqlVariables(1))).toEqual(["reviews", "check"]);
    expect(warnings).toContain("some PR updates refused; sending them by REST");
  });

  it("after an ambiguous failure, redoes every part by REST without a second check run", async () => {
    const f = forge();
    const pr = await opened(f);
    github()
      .post("/graphql", isContext)
      .reply(200, context())
      .post("/graphql", isFinish)
      .reply(502, { message: "Bad Gateway" })
      .post(`${REPO}/issues/7/labels`)
      .reply(200, [])
      .get(`${REPO}/commits/${HEAD}/check-runs`)
      .query(true)
      .reply(200, {
        total_count: 1,
        check_runs: [
          {
            id: 5,
            name: "remedy/policy",
            head_sha: HEAD,
            status: "completed",
            conclusion: "success",
            external_id: null,
            output: { title: "Policy allows", summary: "ok", text: null },
          },
        ],
      });
    await f.finishPullRequest(pr, {
      labels: ["remedy"],
      reviewers: { users: [], teams: [] },
      checkRun: CHECK,
      autoMerge: false,
    });
    expect(sent.some((r) => r.method === "POST" && r.path.endsWith("/check-runs"))).toBe(false);
  });
});

import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GitHubForge } from "../../src/adapters/github/github-forge.js";
import { GraphqlAnswerError } from "../../src/adapters/github/graphql-answers.js";
import { GITHUB_API, probotOctokit, recordGitHub, type GitHubRequest } from "../helpers/github-api.js";

// GraphQL answers are parsed where they arrive: an answer of the wrong shape (a proxy that rewrites
// bodies, a schema change, a hostile mirror behind GITHUB_API_URL) fails there, naming the operation
// and the path, and nothing is built from it.

const BOT = "remedy[bot]";
let sent: GitHubRequest[];

function scope(): nock.Scope {
  const recorded = nock(GITHUB_API);
  recordGitHub(recorded, sent);
  return recorded;
}

function github(operation: string): nock.Interceptor {
  return scope().post("/graphql", (body: { query: string }) => body.query.includes(operation));
}

function forge(): GitHubForge {
  return new GitHubForge({
    octokit: probotOctokit(),
    owner: "acme",
    repo: "gitops",
    botLogin: BOT,
    log: { info() {}, warn() {} },
  });
}

async function failure(promise: Promise<unknown>): Promise<GraphqlAnswerError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GraphqlAnswerError);
  return error as GraphqlAnswerError;
}

const restPull = (number: unknown) => ({
  id: 1000,
  node_id: `PR_${String(number)}`,
  number,
  html_url: `https://github.com/acme/gitops/pull/${String(number)}`,
  title: "scale checkout-api in prod: 4 → 6 replicas",
  body: "<!-- remedy:plan {} -->",
  head: { ref: "remedy/h" },
  base: { ref: "main" },
  state: "open",
  merged_at: null,
  merge_commit_sha: null,
  created_at: "2025-03-02T00:00:00Z",
  draft: false,
  user: { login: BOT, type: "Bot" },
  labels: [{ name: "remedy" }],
});

beforeAll(() => {
  nock.disableNetConnect();
});
afterAll(() => {
  nock.enableNetConnect();
});
beforeEach(() => {
  sent = [];
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
  expect(sent.flatMap((request) => request.problems)).toEqual([]);
});

describe("malformed GraphQL answers", () => {
  it("GET /pulls: a PR number sent as a string fails naming the request and the field", async () => {
    scope()
      .get("/repos/acme/gitops/pulls")
      .query(true)
      .times(2)
      .reply(200, [restPull(6), restPull("7")]);
    const error = await failure(forge().listRemedyPullRequests("2025-01-01T00:00:00Z"));
    expect(error.operation).toMatch(/^GET \/pulls\?state=(open|all)$/);
    expect(error.path).toBe("data[1].number");
    expect(error.message).toMatch(
      /answer to GET \/pulls\?state=(open|all) is malformed at data\[1\]\.number/,
    );
    expect(error.message).toMatch(/expected number/);
  });

  it("GET /pulls: a state GitHub does not have is refused, not read as closed", async () => {
    scope()
      .get("/repos/acme/gitops/pulls")
      .query(true)
      .times(2)
      .reply(200, [{ ...restPull(6), state: "approved_by_sre" }]);
    const error = await failure(forge().listRemedyPullRequests("2025-01-01T00:00:00Z"));
    expect(error.message).toContain("GET /pulls");
    expect(error.path).toBe("data[0].state");
  });

  it("RemedyLedger: an answer without `repository` fails naming the operation", async () => {
    github("RemedyLedger").reply(200, { data: { viewer: { login: "someone" } } });
    const error = await failure(forge().ledger.load());
    expect(error.operation).toBe("RemedyLedger");
    expect(error.path).toBe("data.repository");
    expect(error.message).toContain("GraphQL RemedyLedger is malformed at data.repository");
  });

  it("RemedyLedger: `repository: null` (GitHub's own answer for nothing there) still reads as empty", async () => {
    github("RemedyLedger").reply(200, { data: { repository: null } });
    expect(await forge().ledger.load()).toEqual({ text: "", version: null });
  });

  it("GET /commits: a history that is not a list fails naming the request", async () => {
    scope()
      .get("/repos/acme/gitops/commits")
      .query(true)
      .reply(200, { sha: "a".repeat(40) });
    const error = await failure(forge().fileHistory("manifests/a.yaml", 5, "a".repeat(40)));
    expect(error.operation).toBe("GET /commits?path");
    expect(error.path).toBe("data");
  });

  it("GET /git/blobs: a blob content that is not a string is never cached or returned as a file", async () => {
    const commit = "e".repeat(40);
    scope()
      .get(`/repos/acme/gitops/git/trees/${commit}`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: commit,
        truncated: false,
        tree: [{ path: "values.yaml", type: "blob", mode: "100644", sha: "1".repeat(40), size: 9 }],
      });
    scope()
      .get(`/repos/acme/gitops/git/blobs/${"1".repeat(40)}`)
      .reply(200, { sha: "1".repeat(40), encoding: "base64", content: { replicas: 6 } });
    const error = await failure(forge().readFile("values.yaml", commit));
    expect(error.operation).toBe("GET /git/blobs");
    expect(error.path).toBe("data.content");
    expect(error.message).toMatch(/expected string/);
  });

  it("RemedyFinishContext: a repository id that is not a string fails before any mutation is sent", async () => {
    scope()
      .get("/repos/acme/gitops/pulls/7")
      .reply(200, {
        id: 1007,
        node_id: "PR_kwDO7",
        number: 7,
        html_url: "https://github.com/acme/gitops/pull/7",
        title: "t",
        body: "",
        state: "open",
        draft: false,
        merged_at: null,
        merge_commit_sha: null,
        created_at: "2025-03-01T10:00:00Z",
        user: { login: BOT, type: "Bot" },
        labels: [],
        head: { ref: "remedy/h", sha: "b".repeat(40) },
        base: { ref: "main", sha: "a".repeat(40) },
      });
    github("RemedyFinishContext").reply(200, {
      data: { repository: { id: 42, labels: { nodes: [] } } },
    });
    const f = forge();
    const pr = await f.getPullRequest(7);
    if (pr === null) throw new Error("the PR fixture did not map");
    const error = await failure(
      f.finishPullRequest(pr, {
        labels: ["remedy"],
        reviewers: { users: [], teams: [] },
        checkRun: {
          name: "remedy/policy",
          headSha: "b".repeat(40),
          status: "completed",
          conclusion: "success",
          title: "ok",
          summary: "ok",
        },
        autoMerge: false,
      }),
    );
    expect(error.operation).toBe("RemedyFinishContext");
    expect(error.path).toBe("data.repository.id");
    // The mutation document was never sent: nothing was done on a guess.
    expect(sent.map((request) => `${request.method} ${request.path}`)).toEqual([
      "GET /repos/acme/gitops/pulls/7",
      "POST /graphql",
    ]);
  });
});

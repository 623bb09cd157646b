/** GitHubForge.createBranchWithCommit: what each answer of `RemedyBranchCommit` means. */
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GitHubForge } from "../../src/adapters/github/github-forge.js";
import { GITHUB_API, probotOctokit, recordGitHub, type GitHubRequest } from "../helpers/github-api.js";

const REPO = "/repos/acme/gitops";
const BASE = "a".repeat(40);
const NEW = "c".repeat(40);
const INPUT = {
  branch: "remedy/x",
  fromSha: BASE,
  path: "./apps/values.yaml",
  content: "replicaCount: 6\n",
  message: "scale x\n\nbody",
};

let sent: GitHubRequest[];

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
    botLogin: "remedy[bot]",
  });
}

/** The repository's node id, then the one GraphQL document answered with `answer`. */
function answer(status: number, body: unknown): void {
  github()
    .get(REPO)
    .reply(200, { default_branch: "main", node_id: "R_1" })
    .post("/graphql")
    .reply(status, body as nock.Body);
}

const exists = {
  type: "UNPROCESSABLE",
  path: ["createRef"],
  message: 'A ref named "refs/heads/remedy/x" already exists in the repository.',
};
const stale = {
  type: "STALE_DATA",
  path: ["createCommitOnBranch"],
  message: 'Expected branch to point to "aaaa" but it did not.',
};

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
beforeEach(() => {
  sent = [];
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe("createBranchWithCommit", () => {
  it("takes the branch and commits on it in one document, the commit compare-and-swap on the start point", async () => {
    answer(200, {
      data: {
        createRef: { ref: { name: "refs/heads/remedy/x" } },
        createCommitOnBranch: { commit: { oid: NEW } },
      },
    });
    expect(await forge().createBranchWithCommit(INPUT)).toEqual({ branch: "created", sha: NEW });
    const graphql = sent.filter((r) => r.path === "/graphql");
    expect(graphql).toHaveLength(1);
    const { variables } = graphql[0]?.body as { variables: Record<string, Record<string, unknown>> };
    expect(variables.ref).toEqual({ repositoryId: "R_1", name: "refs/heads/remedy/x", oid: BASE });
    expect(variables.commit).toMatchObject({ expectedHeadOid: BASE, branch: { branchName: "remedy/x" } });
  });

  it("a branch already there at the start point: exists, with the commit on it", async () => {
    answer(200, {
      data: { createRef: null, createCommitOnBranch: { commit: { oid: NEW } } },
      errors: [exists],
    });
    expect(await forge().createBranchWithCommit(INPUT)).toEqual({ branch: "exists", sha: NEW });
  });

  it("a branch already there that moved on: exists, no commit", async () => {
    answer(200, { data: { createRef: null, createCommitOnBranch: null }, errors: [exists, stale] });
    expect(await forge().createBranchWithCommit(INPUT)).toEqual({ branch: "exists", sha: null });
  });

  it("a branch GitHub refused for another reason, with no commit: throws GitHub's reason", async () => {
    const forbidden = {
      type: "FORBIDDEN",
      path: ["createRef"],
      message: "Resource not accessible by integration",
    };
    const noRef = {
      type: "NOT_FOUND",
      path: ["createCommitOnBranch"],
      message: "Could not resolve to a Ref",
    };
    answer(200, { data: { createRef: null, createCommitOnBranch: null }, errors: [forbidden, noRef] });
    await expect(forge().createBranchWithCommit(INPUT)).rejects.toThrow(
      /createRef remedy\/x: Resource not accessible by integration/,
    );
  });

  it("an error on no mutation (rate limit) or no answer at all: throws, the caller reads what landed", async () => {
    answer(200, { data: null, errors: [{ type: "RATE_LIMITED", message: "API rate limit exceeded" }] });
    await expect(forge().createBranchWithCommit(INPUT)).rejects.toThrow(/rate limit/);
    sent = [];
    answer(502, { message: "Server Error" });
    await expect(forge().createBranchWithCommit(INPUT)).rejects.toThrow(/Server Error/);
    expect(sent.filter((r) => r.path === "/graphql")).toHaveLength(1);
  });
});

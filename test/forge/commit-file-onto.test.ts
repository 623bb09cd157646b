/** GitHubForge.commitFileOnto: the recomputed edit on a new base, never a force push. */
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GitHubForge } from "../../src/adapters/github/github-forge.js";
import { GITHUB_API, probotOctokit, recordGitHub, type GitHubRequest } from "../helpers/github-api.js";

const REPO = "/repos/acme/gitops";
const ONTO = "a".repeat(40);
const HEAD = "b".repeat(40);
const NEW = "c".repeat(40);
const OTHER = "d".repeat(40);
const TREE = "1".repeat(40);
const NEW_TREE = "2".repeat(40);
const REF = `${REPO}/git/ref/heads%2Fremedy%2Fx`;
const UPDATE = `${REPO}/git/refs/heads%2Fremedy%2Fx`;

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
    botLogin: "remedy[bot]",
    log: { info() {}, warn: (_meta, message) => warnings.push(message) },
  });
}

const input = {
  branch: "remedy/x",
  expectedHeadSha: HEAD,
  onto: ONTO,
  path: "./apps/values.yaml",
  content: "replicaCount: 6\n",
  message: "scale checkout-api in prod: 5 → 6 replicas\n\nRecomputed by Remedy on main.",
};

const ref = (sha: string) => ({ ref: "refs/heads/remedy/x", object: { sha, type: "commit" } });
const writes = () => sent.filter((request) => request.method !== "GET");

/** The reads and the tree and commit writes before the ref update. */
function upToTheCommit(scope: nock.Scope): nock.Scope {
  return scope
    .get(REF)
    .reply(200, ref(HEAD))
    .get(`${REPO}/git/commits/${ONTO}`)
    .reply(200, { sha: ONTO, tree: { sha: TREE }, parents: [], message: "base" })
    .post(`${REPO}/git/trees`)
    .reply(201, { sha: NEW_TREE })
    .post(`${REPO}/git/commits`)
    .reply(201, { sha: NEW });
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
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

describe("commitFileOnto", () => {
  it("writes onto's tree with the one file, a commit on both the head and onto, and a fast-forward ref update", async () => {
    upToTheCommit(github()).patch(UPDATE).reply(200, ref(NEW));
    expect(await forge().commitFileOnto(input)).toEqual({ ok: true, sha: NEW });
    const [tree, commit, update] = writes();
    expect(tree?.body).toEqual({
      base_tree: TREE,
      tree: [{ path: "apps/values.yaml", mode: "100644", type: "blob", content: input.content }],
    });
    // No author, committer or signature: GitHub signs what the App writes through the API.
    expect(commit?.body).toEqual({ message: input.message, tree: NEW_TREE, parents: [HEAD, ONTO] });
    expect(update?.body).toEqual({ sha: NEW, force: false });
  });

  it("answers stale-head, writing nothing, when the branch already moved", async () => {
    github().get(REF).reply(200, ref(OTHER));
    expect(await forge().commitFileOnto(input)).toEqual({ ok: false, reason: "stale-head" });
    expect(writes()).toEqual([]);
  });

  it("answers stale-head when GitHub refuses the update as not a fast-forward (never forced)", async () => {
    upToTheCommit(github()).patch(UPDATE).reply(422, { message: "Update is not a fast forward" });
    expect(await forge().commitFileOnto(input)).toEqual({ ok: false, reason: "stale-head" });
    expect(writes().filter((w) => w.method === "PATCH")).toHaveLength(1);
  });

  it("after a 502 on the update, finds its commit at the head instead of updating twice", async () => {
    upToTheCommit(github()).patch(UPDATE).reply(502, "Bad Gateway").get(REF).reply(200, ref(NEW));
    expect(await forge().commitFileOnto(input)).toEqual({ ok: true, sha: NEW });
    expect(writes().filter((w) => w.method === "PATCH")).toHaveLength(1);
    expect(warnings).toEqual(["ambiguous ref update; reconciled by reading"]);
  });
});

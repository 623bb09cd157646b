/** GitHubForge.fileHistory against the fake GitHub: what it holds, through REST GETs only. */
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GitHubForge } from "../../src/adapters/github/github-forge.js";
import { BOT_LOGIN, FakeGitHub, OWNER, REPO } from "../app/fake-github.js";
import { probotOctokit } from "../helpers/github-api.js";

const FILE = "apps/values.yaml";

let fake: FakeGitHub;

function forge(): GitHubForge {
  return new GitHubForge({
    octokit: probotOctokit(),
    owner: OWNER,
    repo: REPO,
    botLogin: BOT_LOGIN,
    log: { info() {}, warn() {} },
  });
}

/** main advances to `sha`, as a push would. */
function push(changes: Record<string, string | null>, message: string, author: string): string {
  const sha = fake.commit(fake.refs.get("main") ?? null, changes, message, author);
  fake.refs.set("main", sha);
  return sha;
}

beforeAll(() => {
  nock.disableNetConnect();
});
afterAll(() => {
  nock.enableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
  expect(fake.problems()).toEqual([]);
});

describe("GitHubForge.fileHistory against the fake GitHub", () => {
  it("gives each version's sha, date, message, author, PR and text, newest first, without GraphQL", async () => {
    fake = new FakeGitHub({ [FILE]: "replicaCount: 4\n", "README.md": "hi\n" });
    const initial = fake.refs.get("main") as string;
    const pr = fake.addPullRequest({
      title: "scale to 5",
      body: "",
      user: "alice",
      head: "alice/scale",
      files: { [FILE]: "replicaCount: 5\n" },
    });
    const merged = fake.mergePullRequest(pr.number);
    const bumped = push({ [FILE]: "replicaCount: 6\n" }, "bump to 6\n\nby hand", "bob");
    push({ "README.md": "hello\n" }, "docs", "carol");
    const deleted = push({ [FILE]: null }, "drop the overlay", "carol");
    fake.mock(0, false);

    const history = await forge().fileHistory(FILE, 10, fake.refs.get("main"));

    const at = (sha: string) => fake.commits.get(sha)?.date;
    expect(history).toEqual([
      { sha: deleted, at: at(deleted), message: "drop the overlay", content: null, author: "carol" },
      {
        sha: bumped,
        at: at(bumped),
        message: "bump to 6\n\nby hand",
        content: "replicaCount: 6\n",
        author: "bob",
      },
      {
        sha: merged,
        at: at(merged),
        message: `scale to 5 (#${pr.number})`,
        content: "replicaCount: 5\n",
        author: "octocat",
        pullRequest: { number: pr.number, author: "alice" },
      },
      {
        sha: initial,
        at: at(initial),
        message: "initial commit",
        content: "replicaCount: 4\n",
        author: "octocat",
      },
    ]);
    expect(fake.requests.filter((request) => request.method !== "GET")).toEqual([]);
    expect(fake.requests.filter((request) => request.path.startsWith("/graphql"))).toEqual([]);
  });

  it("names the open PR of a commit on its branch, and stops at the limit", async () => {
    fake = new FakeGitHub({ [FILE]: "replicaCount: 4\n" });
    const pr = fake.addPullRequest({
      title: "scale to 8",
      body: "",
      user: "alice",
      head: "alice/eight",
      files: { [FILE]: "replicaCount: 8\n" },
    });
    fake.mock(0, false);

    const history = await forge().fileHistory(FILE, 1, pr.pull?.headSha);

    expect(history).toEqual([
      {
        sha: pr.pull?.headSha,
        at: fake.commits.get(pr.pull?.headSha ?? "")?.date,
        message: "scale to 8",
        content: "replicaCount: 8\n",
        author: "alice",
        pullRequest: { number: pr.number, author: "alice" },
      },
    ]);
    expect(fake.requests.filter((request) => request.path.startsWith("/graphql"))).toEqual([]);
  });

  it("at a new base reads only the versions it has not seen", async () => {
    fake = new FakeGitHub({ [FILE]: "replicaCount: 4\n" });
    push({ [FILE]: "replicaCount: 5\n" }, "five", "bob");
    fake.mock(0, false);
    const f = forge();
    const before = await f.fileHistory(FILE, 10, fake.refs.get("main"));
    const seen = fake.requests.length;
    const six = push({ [FILE]: "replicaCount: 6\n" }, "six", "bob");

    const after = await f.fileHistory(FILE, 10, six);

    expect(after.map((v) => v.content)).toEqual([
      "replicaCount: 6\n",
      "replicaCount: 5\n",
      "replicaCount: 4\n",
    ]);
    expect(after.slice(1)).toEqual(before);
    // The list, then the new version's text and PR side by side.
    const paths = fake.requests.slice(seen).map((r) => r.path.split("?")[0]);
    expect(paths[0]).toBe(`/repos/${OWNER}/${REPO}/commits`);
    expect(paths.slice(1).sort()).toEqual([
      `/repos/${OWNER}/${REPO}/commits/${six}/pulls`,
      `/repos/${OWNER}/${REPO}/contents/apps%2Fvalues.yaml`,
    ]);
  });
});

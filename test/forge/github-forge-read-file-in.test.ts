/** GitHubForge.readFileIn: the `_extends` read of another repository's file, checked against OpenAPI. */
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GitHubForge } from "../../src/adapters/github/github-forge.js";
import { GITHUB_API, probotOctokit, recordGitHub, type GitHubRequest } from "../helpers/github-api.js";

let sent: GitHubRequest[];

function forge(): GitHubForge {
  return new GitHubForge({
    octokit: probotOctokit(),
    owner: "acme",
    repo: "gitops",
    botLogin: "remedy[bot]",
    log: { info() {}, warn() {} },
  });
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
beforeEach(() => {
  sent = [];
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
  expect(sent.flatMap((request) => request.problems)).toEqual([]);
});

describe("GitHubForge.readFileIn", () => {
  it("reads another repository's file on its default branch, and null for a missing or hidden one", async () => {
    const text = "services: {}\n";
    const scope = nock(GITHUB_API);
    recordGitHub(scope, sent);
    scope
      .get("/repos/acme/.github/contents/.github%2Fremedy.yml")
      .reply(200, {
        type: "file",
        encoding: "base64",
        size: text.length,
        name: "remedy.yml",
        path: ".github/remedy.yml",
        sha: "f".repeat(40),
        content: Buffer.from(text).toString("base64"),
      })
      .get("/repos/acme/private-defaults/contents/.github%2Fremedy.yml")
      .reply(404, { message: "Not Found" });
    const f = forge();
    expect(await f.readFileIn("acme/.github", "./.github/remedy.yml")).toBe(text);
    expect(await f.readFileIn("acme/private-defaults", ".github/remedy.yml")).toBeNull();
    // A malformed name is never sent.
    expect(await f.readFileIn("acme/a/b", ".github/remedy.yml")).toBeNull();
    expect(sent).toHaveLength(2);
  });
});

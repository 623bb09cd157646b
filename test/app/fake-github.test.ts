import { afterEach, describe, expect, it } from "vitest";
import { FakeGitHub, OWNER, REPO } from "./fake-github.js";

// The fake answers by parsing: an operation is chosen by its name in the parsed document, a REST
// route by the table, so text that merely mentions an operation or a path is not answered as one.
describe("the fake GitHub's dispatch", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  async function serve(
    fake: FakeGitHub,
  ): Promise<(method: string, path: string, body?: unknown) => Promise<[number, unknown]>> {
    const server = await fake.serve();
    close = server.close;
    return async (method, path, body) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return [response.status, await response.json()];
    };
  }

  it("answers a GraphQL operation by its name, not by words in its text", async () => {
    const fake = new FakeGitHub({ "a.txt": "a" });
    const send = await serve(fake);
    const main = fake.refs.get("main");
    const [status] = await send("POST", "/graphql", {
      query: "query Other { viewer { login } } # createCommitOnBranch history( pullRequests(",
      variables: { input: { branch: { branchName: "main" }, expectedHeadOid: main } },
    });
    expect(status).toBe(501);
    expect(fake.refs.get("main")).toBe(main);
    expect(fake.problems()).toEqual([
      "POST /graphql: the fake GitHub does not implement POST /graphql (unknown operation)",
    ]);
  });

  it("refuses a document that does not parse, and answers a known operation", async () => {
    const fake = new FakeGitHub({ "a.txt": "a" });
    const send = await serve(fake);
    expect((await send("POST", "/graphql", { query: "mutation RemedyAutoMerge(" }))[0]).toBe(501);
    const [status, body] = await send("POST", "/graphql", {
      query:
        "mutation RemedyAutoMerge($id: ID!) { enablePullRequestAutoMerge(input: {pullRequestId: $id}) { clientMutationId } }",
      variables: { id: "PR_1" },
    });
    expect([status, body]).toEqual([
      200,
      { data: { enablePullRequestAutoMerge: { clientMutationId: null } } },
    ]);
  });

  it("routes REST by method and path through its table, and 501s what it does not know", async () => {
    const fake = new FakeGitHub({ "a.txt": "a" });
    const send = await serve(fake);
    expect((await send("GET", `/repos/${OWNER}/${REPO}/git/ref/heads/main`))[0]).toBe(200);
    expect((await send("GET", `/repos/${OWNER}/${REPO}/git/ref/heads/nope`))[0]).toBe(404);
    expect((await send("DELETE", `/repos/${OWNER}/${REPO}/git/refs`))[0]).toBe(501);
    expect((await send("GET", `/repos/someone/else/git/ref/heads/main`))[0]).toBe(501);
    expect(fake.problems()).toHaveLength(2);
  });
});

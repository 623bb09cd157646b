import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  AuditLedger,
  parseLedger,
  parseTrailers,
  serializeLedger,
  verifyChain,
} from "../../src/audit/index.js";
import { GitHubLedgerBackend } from "../../src/adapters/github/github-ledger-backend.js";

import { GitHubCache } from "../../src/adapters/github/github-cache.js";
import { event } from "./events.js";
import { GITHUB_API, probotOctokit, recordGitHub, type GitHubRequest } from "../helpers/github-api.js";

const REPO = "/repos/acme/gitops";
const HEAD = "1".repeat(40);
const BLOB = "3".repeat(40);
const NEW_BLOB = "4".repeat(40);
const NEW_TREE = "5".repeat(40);
const NEW_COMMIT = "6".repeat(40);
const OTHER_HEAD = "7".repeat(40);

let sent: GitHubRequest[];

function backend(cache?: GitHubCache) {
  return new GitHubLedgerBackend(probotOctokit(), {
    owner: "acme",
    repo: "gitops",
    ...(cache === undefined ? {} : { cache }),
  });
}

// Every request is recorded and checked: REST against OpenAPI, GraphQL against GitHub's schema.
function github() {
  const scope = nock(GITHUB_API);
  recordGitHub(scope, sent);
  return scope;
}

const graphql = () => sent.filter((request) => request.path === "/graphql");
const variablesOf = (request: GitHubRequest | undefined) =>
  (request?.body as { variables: Record<string, unknown> }).variables;

/** The ledger query's answer: no branch (head null), a branch without the file, or with its text. */
function mockLoad(scope: nock.Scope, head: string | null, text?: string, truncated = false) {
  const file =
    text === undefined
      ? null
      : { object: { oid: BLOB, text: truncated ? text.slice(0, 5) : text, isTruncated: truncated } };
  scope
    .post("/graphql", (body: { query: string }) => body.query.includes("RemedyLedger"))
    .reply(200, { data: { repository: { ref: head === null ? null : { target: { oid: head, file } } } } });
}

function mockCommit(scope: nock.Scope, answer: "ok" | "stale" | "forbidden" | 502, oid = NEW_COMMIT) {
  const interceptor = scope.post("/graphql", (body: { query: string }) =>
    body.query.includes("createCommitOnBranch"),
  );
  if (answer === 502) interceptor.reply(502, { message: "Bad Gateway" });
  else if (answer === "ok") interceptor.reply(200, { data: { createCommitOnBranch: { commit: { oid } } } });
  else
    interceptor.reply(200, {
      data: { createCommitOnBranch: null },
      errors: [
        answer === "stale"
          ? { type: "STALE_DATA", message: `Expected branch to point to "${HEAD}" but it did not` }
          : { type: "FORBIDDEN", message: "Repository rule violations found" },
      ],
    });
}

function mockCreate(scope: nock.Scope) {
  scope
    .post(`${REPO}/git/blobs`)
    .reply(201, { sha: NEW_BLOB })
    .post(`${REPO}/git/trees`)
    .reply(201, { sha: NEW_TREE })
    .post(`${REPO}/git/commits`)
    .reply(201, { sha: NEW_COMMIT, parents: [] });
}

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

// Non-ASCII on purpose: the text must survive base64 and UTF-8 both ways.
const ENTRY_TEXT = '{"note":"é ✓"}\n';

describe("GitHubLedgerBackend.load", () => {
  it("reads an absent branch as an empty ledger with no version", async () => {
    mockLoad(github(), null);
    expect(await backend().load()).toEqual({ text: "", version: null });
    expect(variablesOf(graphql()[0])).toEqual({
      owner: "acme",
      repo: "gitops",
      ref: "refs/heads/remedy-audit",
      path: "ledger.jsonl",
    });
  });

  it("reads ledger.jsonl at the branch head in one request, byte for byte", async () => {
    mockLoad(github(), HEAD, ENTRY_TEXT);
    expect(await backend().load()).toEqual({ text: ENTRY_TEXT, version: HEAD });
    expect(sent).toHaveLength(1);
  });

  it("reads a branch without ledger.jsonl as empty at that head", async () => {
    mockLoad(github(), HEAD);
    expect(await backend().load()).toEqual({ text: "", version: HEAD });
  });

  it("fetches the whole blob when GraphQL cut the text short", async () => {
    const scope = github();
    mockLoad(scope, HEAD, ENTRY_TEXT, true);
    // GitHub wraps base64 at 60 columns.
    const content = Buffer.from(ENTRY_TEXT, "utf8")
      .toString("base64")
      .replace(/(.{60})/g, "$1\n");
    scope.get(`${REPO}/git/blobs/${BLOB}`).reply(200, { sha: BLOB, encoding: "base64", content });
    expect(await backend().load()).toEqual({ text: ENTRY_TEXT, version: HEAD });
  });

  it("passes errors on", async () => {
    github().post("/graphql").reply(500, { message: "boom" });
    await expect(backend().load()).rejects.toMatchObject({ status: 500 });
  });

  it("with a cache, loads once and then trusts the head it knows", async () => {
    mockLoad(github(), HEAD, ENTRY_TEXT);
    const cache = new GitHubCache();
    expect(await backend(cache).load()).toEqual({ text: ENTRY_TEXT, version: HEAD });
    expect(await backend(cache).load()).toEqual({ text: ENTRY_TEXT, version: HEAD });
    expect(sent).toHaveLength(1);
  });
});

describe("GitHubLedgerBackend.store", () => {
  it("creates the branch with a parentless commit when there is no ledger yet", async () => {
    const scope = github();
    mockCreate(scope);
    scope
      .post(`${REPO}/git/refs`)
      .reply(201, { ref: "refs/heads/remedy-audit", object: { sha: NEW_COMMIT } });
    expect(await backend().store("line\n", null, "audit: signal (seq 1)")).toBe("stored");
    expect(sent.map((request) => request.body)).toEqual([
      { content: Buffer.from("line\n").toString("base64"), encoding: "base64" },
      { tree: [{ path: "ledger.jsonl", mode: "100644", type: "blob", sha: NEW_BLOB }] },
      { message: "audit: signal (seq 1)", tree: NEW_TREE, parents: [] },
      { ref: "refs/heads/remedy-audit", sha: NEW_COMMIT },
    ]);
  });

  it("answers conflict when another writer created the branch first", async () => {
    const scope = github();
    mockCreate(scope);
    scope
      .post(`${REPO}/git/refs`)
      .reply(422, { message: "Reference already exists", documentation_url: "https://docs.github.com/rest" });
    expect(await backend().store("x\n", null, "m")).toBe("conflict");
  });

  it("appends with one createCommitOnBranch whose expected head is the loaded version", async () => {
    mockCommit(github(), "ok");
    const text = `${ENTRY_TEXT}more\n`;
    expect(await backend().store(text, HEAD, "audit: decision (seq 2)\n\nRemedy-Audit: sha256:ab\n")).toBe(
      "stored",
    );
    const input = variablesOf(graphql()[0]).input as {
      branch: unknown;
      expectedHeadOid: string;
      message: unknown;
      fileChanges: { additions: Array<{ path: string; contents: string }> };
    };
    expect(input.branch).toEqual({ repositoryNameWithOwner: "acme/gitops", branchName: "remedy-audit" });
    expect(input.expectedHeadOid).toBe(HEAD);
    expect(input.message).toEqual({ headline: "audit: decision (seq 2)", body: "Remedy-Audit: sha256:ab" });
    expect(input.fileChanges.additions).toHaveLength(1);
    expect(input.fileChanges.additions[0]?.path).toBe("ledger.jsonl");
    expect(Buffer.from(input.fileChanges.additions[0]?.contents ?? "", "base64").toString("utf8")).toBe(text);
  });

  it("answers conflict when the head moved, and forgets the head it knew", async () => {
    const scope = github();
    mockLoad(scope, HEAD, ENTRY_TEXT);
    mockCommit(scope, "stale");
    mockLoad(scope, OTHER_HEAD, `${ENTRY_TEXT}theirs\n`);
    const cache = new GitHubCache();
    const ledger = backend(cache);
    const { version } = await ledger.load();
    expect(await ledger.store("x\n", version, "m")).toBe("conflict");
    expect(await ledger.load()).toEqual({ text: `${ENTRY_TEXT}theirs\n`, version: OTHER_HEAD });
  });

  it("does not mistake another refusal for a race", async () => {
    mockCommit(github(), "forbidden");
    await expect(backend().store("x\n", HEAD, "m")).rejects.toMatchObject({
      errors: [{ type: "FORBIDDEN" }],
    });
  });

  it("after an ambiguous 5xx, reads the ledger: our text there means stored", async () => {
    const scope = github();
    mockCommit(scope, 502);
    mockLoad(scope, NEW_COMMIT, "ours\n");
    expect(await backend().store("ours\n", HEAD, "m")).toBe("stored");
  });

  it("after an ambiguous 5xx, anything else there means conflict (the caller chains again)", async () => {
    const scope = github();
    mockCommit(scope, 502);
    mockLoad(scope, HEAD, ENTRY_TEXT);
    expect(await backend().store("ours\n", HEAD, "m")).toBe("conflict");
  });
});

describe("AuditLedger on GitHub", () => {
  it("reloads and re-chains after losing the race, then lands on the winner's head", async () => {
    const theirs = (await new AuditLedger(memoryOf("")).append([event("signal", { actor: "other" })]))[0];
    const theirText = serializeLedger(theirs === undefined ? [] : [theirs]);
    const scope = github();
    // First round: nothing yet, then the branch turns out to exist when we try to create it.
    mockLoad(scope, null);
    mockCreate(scope);
    scope.post(`${REPO}/git/refs`).reply(422, { message: "Reference already exists" });
    // Second round: the other replica's entry is there; ours goes after it.
    mockLoad(scope, OTHER_HEAD, theirText);
    mockCommit(scope, "ok");

    const ledger = new AuditLedger(backend(), { sleep: async () => undefined });
    const [ours] = await ledger.append([event("diagnosis")]);
    expect(ours).toMatchObject({ seq: 2, prev: theirs?.hash });

    const commit = variablesOf(graphql().at(-1)).input as {
      expectedHeadOid: string;
      message: { headline: string; body: string };
      fileChanges: { additions: Array<{ contents: string }> };
    };
    const stored = Buffer.from(commit.fileChanges.additions[0]?.contents ?? "", "base64").toString("utf8");
    expect(stored.startsWith(theirText)).toBe(true);
    expect(parseLedger(stored).entries).toEqual([theirs, ours]);
    expect(verifyChain(stored)).toEqual({ ok: true, count: 2, head: ours?.hash });
    expect(commit.expectedHeadOid).toBe(OTHER_HEAD);
    expect(parseTrailers(`${commit.message.headline}\n\n${commit.message.body}`)["Remedy-Audit"]).toEqual([
      ours?.hash,
    ]);
  });

  it("appends twice in a row with one request each once the head is known", async () => {
    const scope = github();
    mockLoad(scope, HEAD, "");
    mockCommit(scope, "ok", NEW_COMMIT);
    mockCommit(scope, "ok", OTHER_HEAD);
    const ledger = new AuditLedger(backend(new GitHubCache()));
    await ledger.append([event("signal")]);
    await ledger.append([event("diagnosis")]);
    expect(sent).toHaveLength(3);
    const second = variablesOf(graphql()[2]).input as { expectedHeadOid: string };
    expect(second.expectedHeadOid).toBe(NEW_COMMIT);
  });
});

function memoryOf(text: string) {
  let current = text;
  let version: string | null = null;
  return {
    load: async () => ({ text: current, version }),
    store: async (next: string) => {
      current = next;
      version = "1";
      return "stored" as const;
    },
  };
}

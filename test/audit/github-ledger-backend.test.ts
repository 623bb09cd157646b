import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  AuditLedger,
  parseLedger,
  parseTrailers,
  serializeLedger,
  verifyChain,
} from "../../src/audit/index.js";
import { GitHubLedgerBackend } from "../../src/forge/github/github-ledger-backend.js";
import { event } from "./events.js";
import { openApiProblems } from "../helpers/github-api.js";

const API = "https://api.github.com";
const REPO = "/repos/acme/gitops";
const HEAD = "1".repeat(40);
const TREE = "2".repeat(40);
const BLOB = "3".repeat(40);
const NEW_BLOB = "4".repeat(40);
const NEW_TREE = "5".repeat(40);
const NEW_COMMIT = "6".repeat(40);
const OTHER_HEAD = "7".repeat(40);

interface Sent {
  method: string;
  path: string;
  body: unknown;
}

let sent: Sent[];

function octokit() {
  return new ProbotOctokit({ auth: { token: "t" }, retry: { enabled: false }, throttle: { enabled: false } });
}

function backend() {
  return new GitHubLedgerBackend(octokit(), { owner: "acme", repo: "gitops" });
}

// Every request is recorded so the test can check it against GitHub's OpenAPI description.
function github() {
  const scope = nock(API);
  scope.on("request", (req: { method?: string; path?: string }, _interceptor: unknown, body: string) => {
    sent.push({
      method: req.method ?? "",
      path: req.path ?? "",
      body: body === "" || body === undefined ? undefined : JSON.parse(body),
    });
  });
  return scope;
}

function mockLoad(scope: nock.Scope, head: string, tree: string, text: string | undefined) {
  scope
    .get(`${REPO}/git/ref/heads%2Fremedy-audit`)
    .reply(200, { ref: "refs/heads/remedy-audit", object: { sha: head, type: "commit" } })
    .get(`${REPO}/git/commits/${head}`)
    .reply(200, { sha: head, tree: { sha: tree } })
    .get(`${REPO}/git/trees/${tree}`)
    .reply(200, {
      sha: tree,
      truncated: false,
      tree: text === undefined ? [] : [{ path: "ledger.jsonl", mode: "100644", type: "blob", sha: BLOB }],
    });
  if (text !== undefined) {
    // GitHub wraps base64 at 60 columns.
    const content = Buffer.from(text, "utf8")
      .toString("base64")
      .replace(/(.{60})/g, "$1\n");
    scope.get(`${REPO}/git/blobs/${BLOB}`).reply(200, { sha: BLOB, encoding: "base64", content });
  }
}

function mockWrite(scope: nock.Scope, parent: string | null) {
  scope
    .post(`${REPO}/git/blobs`)
    .reply(201, { sha: NEW_BLOB })
    .post(`${REPO}/git/trees`)
    .reply(201, { sha: NEW_TREE })
    .post(`${REPO}/git/commits`)
    .reply(201, { sha: NEW_COMMIT, parents: parent === null ? [] : [{ sha: parent }] });
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
  for (const request of sent) expect(openApiProblems(request.method, request.path, request.body)).toEqual([]);
});

// Non-ASCII on purpose: the text must survive base64 and UTF-8 both ways.
const ENTRY_TEXT = '{"note":"é ✓"}\n';

describe("GitHubLedgerBackend.load", () => {
  it("reads an absent branch as an empty ledger with no version", async () => {
    github().get(`${REPO}/git/ref/heads%2Fremedy-audit`).reply(404, { message: "Not Found" });
    expect(await backend().load()).toEqual({ text: "", version: null });
    expect(nock.isDone()).toBe(true);
  });

  it("reads ledger.jsonl from the head commit's tree, byte for byte", async () => {
    mockLoad(github(), HEAD, TREE, ENTRY_TEXT);
    expect(await backend().load()).toEqual({ text: ENTRY_TEXT, version: HEAD });
    expect(nock.isDone()).toBe(true);
  });

  it("reads a branch without ledger.jsonl as empty at that head", async () => {
    mockLoad(github(), HEAD, TREE, undefined);
    expect(await backend().load()).toEqual({ text: "", version: HEAD });
  });

  it("passes on errors other than 404", async () => {
    github().get(`${REPO}/git/ref/heads%2Fremedy-audit`).reply(500, { message: "boom" });
    await expect(backend().load()).rejects.toMatchObject({ status: 500 });
  });
});

describe("GitHubLedgerBackend.store", () => {
  it("creates the branch with a parentless commit when there is no ledger yet", async () => {
    const scope = github();
    mockWrite(scope, null);
    scope
      .post(`${REPO}/git/refs`)
      .reply(201, { ref: "refs/heads/remedy-audit", object: { sha: NEW_COMMIT } });
    expect(await backend().store("line\n", null, "audit: signal (seq 1)")).toBe("stored");
    expect(nock.isDone()).toBe(true);
    expect(sent.map((request) => request.body).filter(Boolean)).toEqual([
      { content: Buffer.from("line\n").toString("base64"), encoding: "base64" },
      { tree: [{ path: "ledger.jsonl", mode: "100644", type: "blob", sha: NEW_BLOB }] },
      { message: "audit: signal (seq 1)", tree: NEW_TREE, parents: [] },
      { ref: "refs/heads/remedy-audit", sha: NEW_COMMIT },
    ]);
  });

  it("commits on top of the loaded head and moves the ref without force", async () => {
    const scope = github();
    mockLoad(scope, HEAD, TREE, ENTRY_TEXT);
    mockWrite(scope, HEAD);
    scope.patch(`${REPO}/git/refs/heads%2Fremedy-audit`).reply(200, { object: { sha: NEW_COMMIT } });
    const ledger = backend();
    const { version } = await ledger.load();
    expect(await ledger.store(`${ENTRY_TEXT}more\n`, version, "audit: decision (seq 2)")).toBe("stored");
    expect(nock.isDone()).toBe(true);
    const writes = sent.filter((request) => request.method !== "GET").map((request) => request.body);
    expect(writes.slice(1)).toEqual([
      { base_tree: TREE, tree: [{ path: "ledger.jsonl", mode: "100644", type: "blob", sha: NEW_BLOB }] },
      { message: "audit: decision (seq 2)", tree: NEW_TREE, parents: [HEAD] },
      { sha: NEW_COMMIT, force: false },
    ]);
    expect(Buffer.from((writes[0] as { content: string }).content, "base64").toString("utf8")).toBe(
      `${ENTRY_TEXT}more\n`,
    );
  });

  it("looks the base tree up when it did not load that head itself", async () => {
    const scope = github();
    scope.get(`${REPO}/git/commits/${HEAD}`).reply(200, { sha: HEAD, tree: { sha: TREE } });
    mockWrite(scope, HEAD);
    scope.patch(`${REPO}/git/refs/heads%2Fremedy-audit`).reply(200, { object: { sha: NEW_COMMIT } });
    expect(await backend().store("x\n", HEAD, "m")).toBe("stored");
    expect(nock.isDone()).toBe(true);
  });

  it("answers conflict when the ref moved (not a fast forward)", async () => {
    const scope = github();
    scope.get(`${REPO}/git/commits/${HEAD}`).reply(200, { sha: HEAD, tree: { sha: TREE } });
    mockWrite(scope, HEAD);
    scope.patch(`${REPO}/git/refs/heads%2Fremedy-audit`).reply(422, {
      message: "Update is not a fast forward",
      documentation_url: "https://docs.github.com/rest",
    });
    expect(await backend().store("x\n", HEAD, "m")).toBe("conflict");
  });

  it("answers conflict when another writer created the branch first", async () => {
    const scope = github();
    mockWrite(scope, null);
    scope
      .post(`${REPO}/git/refs`)
      .reply(422, { message: "Reference already exists", documentation_url: "https://docs.github.com/rest" });
    expect(await backend().store("x\n", null, "m")).toBe("conflict");
  });

  it("does not mistake another 422 for a race", async () => {
    const scope = github();
    scope.get(`${REPO}/git/commits/${HEAD}`).reply(200, { sha: HEAD, tree: { sha: TREE } });
    mockWrite(scope, HEAD);
    scope
      .patch(`${REPO}/git/refs/heads%2Fremedy-audit`)
      .reply(422, { message: "Repository rule violations found" });
    await expect(backend().store("x\n", HEAD, "m")).rejects.toMatchObject({ status: 422 });
  });
});

describe("AuditLedger on GitHub", () => {
  it("reloads and re-chains after losing the race, then lands on the winner's head", async () => {
    const theirs = (await new AuditLedger(memoryOf("")).append([event("signal", { actor: "other" })]))[0];
    const theirText = serializeLedger(theirs === undefined ? [] : [theirs]);
    const scope = github();
    // First round: nothing yet, then the branch turns out to exist when we try to create it.
    scope.get(`${REPO}/git/ref/heads%2Fremedy-audit`).reply(404, { message: "Not Found" });
    mockWrite(scope, null);
    scope.post(`${REPO}/git/refs`).reply(422, { message: "Reference already exists" });
    // Second round: the other replica's entry is there; ours goes after it.
    mockLoad(scope, OTHER_HEAD, TREE, theirText);
    mockWrite(scope, OTHER_HEAD);
    scope.patch(`${REPO}/git/refs/heads%2Fremedy-audit`).reply(200, { object: { sha: NEW_COMMIT } });

    const ledger = new AuditLedger(backend(), { sleep: async () => undefined });
    const [ours] = await ledger.append([event("diagnosis")]);
    expect(nock.isDone()).toBe(true);
    expect(ours).toMatchObject({ seq: 2, prev: theirs?.hash });

    const blobs = sent.filter((request) => request.path.endsWith("/git/blobs"));
    const stored = Buffer.from((blobs[1]?.body as { content: string }).content, "base64").toString("utf8");
    expect(stored.startsWith(theirText)).toBe(true);
    expect(parseLedger(stored).entries).toEqual([theirs, ours]);
    expect(verifyChain(stored)).toEqual({ ok: true, count: 2, head: ours?.hash });
    const commits = sent.filter(
      (request) => request.path.endsWith("/git/commits") && request.method === "POST",
    );
    const last = commits[1]?.body as { message: string; parents: string[] };
    expect(last.parents).toEqual([OTHER_HEAD]);
    expect(parseTrailers(last.message)["Remedy-Audit"]).toEqual([ours?.hash]);
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

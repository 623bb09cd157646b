import type { LedgerBackend } from "../../audit/ledger-backend.js";
import { commitOnBranch, type GraphqlClient } from "./commit-on-branch.js";
import { LedgerAnswer, parseAnswer } from "./graphql-answers.js";
import { isAmbiguous, messageOf, statusOf } from "./http-errors.js";
import type { GitHubCache } from "./github-cache.js";

type Repo = { owner: string; repo: string };
type Call<Params, Data> = (params: Params) => Promise<{ data: Data }>;

/** The slice of a ProbotOctokit the ledger uses: GraphQL, and the Git Data API for the first commit. */
export type GitDataClient = GraphqlClient & {
  rest: {
    git: {
      getBlob: Call<Repo & { file_sha: string }, { content: string; encoding: string }>;
      createBlob: Call<Repo & { content: string; encoding: string }, { sha: string }>;
      createTree: Call<
        Repo & { tree: { path: string; mode: "100644"; type: "blob"; sha: string }[] },
        { sha: string }
      >;
      createCommit: Call<Repo & { message: string; tree: string; parents: string[] }, { sha: string }>;
      createRef: Call<Repo & { ref: string; sha: string }, unknown>;
    };
  };
};

export interface GitHubLedgerOptions {
  owner: string;
  repo: string;
  /** Default `remedy-audit` (SPEC §6). */
  branch?: string;
  /** Default `ledger.jsonl` (SPEC §6). */
  path?: string;
  /**
   * Remembers the last ledger this process read or wrote, so the next append needs no read: the
   * write is a compare-and-swap on that head, and a stale head only costs one reload.
   */
  cache?: GitHubCache;
}

const LEDGER = `query RemedyLedger($owner: String!, $repo: String!, $ref: String!, $path: String!) {
  repository(owner: $owner, name: $repo) {
    ref(qualifiedName: $ref) {
      target { oid ... on Commit { file(path: $path) { object { ... on Blob { oid text isTruncated } } } } }
    }
  }
}`;

/**
 * The ledger on the `remedy-audit` branch. The version is the branch head commit. An append is one
 * GraphQL `createCommitOnBranch` whose `expectedHeadOid` is that head, so GitHub refuses it when
 * someone else appended first: the compare-and-swap the ledger needs, in one request, with a commit
 * GitHub signs. A load is one GraphQL query (head and text together), skipped when this process
 * already knows the head it last wrote. The very first append has no branch to commit on; it makes
 * a parentless commit with the Git Data API and creates the ref, which fails if another writer
 * created it first. The branch shares no history with the default branch.
 */
export class GitHubLedgerBackend implements LedgerBackend {
  readonly #client: GitDataClient;
  readonly #repo: Repo;
  readonly #branch: string;
  readonly #path: string;
  readonly #cache: GitHubCache | undefined;
  readonly #key: string;

  constructor(client: GitDataClient, opts: GitHubLedgerOptions) {
    this.#client = client;
    this.#repo = { owner: opts.owner, repo: opts.repo };
    this.#branch = opts.branch ?? "remedy-audit";
    this.#path = opts.path ?? "ledger.jsonl";
    this.#cache = opts.cache;
    this.#key = `${opts.owner}/${opts.repo}#${this.#branch}:${this.#path}`;
  }

  async load(): Promise<{ text: string; version: string | null }> {
    const known = this.#cache?.ledger(this.#key);
    if (known !== undefined) return { ...known };
    return this.#read();
  }

  async store(text: string, expectedVersion: string | null, message: string): Promise<"stored" | "conflict"> {
    if (expectedVersion === null) return this.#create(text, message);
    let result;
    try {
      result = await commitOnBranch(this.#client, {
        repo: `${this.#repo.owner}/${this.#repo.repo}`,
        branch: this.#branch,
        expectedHeadOid: expectedVersion,
        path: this.#path,
        content: text,
        message,
      });
    } catch (error) {
      this.#cache?.setLedger(this.#key, undefined);
      if (!isAmbiguous(error)) throw error;
      // The append may have landed: only the ledger itself can say. Ours is there byte for byte, or
      // it is not and the caller reloads and chains again (nothing is written twice either way).
      const now = await this.#read();
      return now.text === text ? "stored" : "conflict";
    }
    if (!result.ok) {
      this.#cache?.setLedger(this.#key, undefined);
      return "conflict";
    }
    this.#cache?.setLedger(this.#key, { version: result.sha, text });
    return "stored";
  }

  async #read(): Promise<{ text: string; version: string | null }> {
    const answer = await this.#client.graphql(LEDGER, {
      ...this.#repo,
      ref: `refs/heads/${this.#branch}`,
      path: this.#path,
    });
    const data = parseAnswer("RemedyLedger", LedgerAnswer, answer);
    const target = data.repository?.ref?.target ?? null;
    if (target === null) return { text: "", version: null };
    const blob = target.file?.object ?? null;
    let text = blob?.text ?? "";
    // GraphQL cuts long texts short (and gives none for binary): the blob endpoint has them whole.
    if (blob?.oid !== undefined && (blob.isTruncated === true || blob.text === null)) {
      const raw = (await this.#client.rest.git.getBlob({ ...this.#repo, file_sha: blob.oid })).data;
      text = raw.encoding === "base64" ? Buffer.from(raw.content, "base64").toString("utf8") : raw.content;
    }
    this.#cache?.setLedger(this.#key, { version: target.oid, text });
    return { text, version: target.oid };
  }

  /** The first entry: a parentless commit, and the ref created only if nobody else did first. */
  async #create(text: string, message: string): Promise<"stored" | "conflict"> {
    const git = this.#client.rest.git;
    // base64 keeps the bytes exact; the hashes are over UTF-8 and must survive the trip.
    const blob = await git.createBlob({
      ...this.#repo,
      content: Buffer.from(text, "utf8").toString("base64"),
      encoding: "base64",
    });
    const tree = await git.createTree({
      ...this.#repo,
      tree: [{ path: this.#path, mode: "100644", type: "blob", sha: blob.data.sha }],
    });
    const commit = await git.createCommit({ ...this.#repo, message, tree: tree.data.sha, parents: [] });
    try {
      await git.createRef({ ...this.#repo, ref: `refs/heads/${this.#branch}`, sha: commit.data.sha });
    } catch (error) {
      this.#cache?.setLedger(this.#key, undefined);
      if (statusOf(error) === 422 && /reference already exists/i.test(messageOf(error))) return "conflict";
      throw error;
    }
    this.#cache?.setLedger(this.#key, { version: commit.data.sha, text });
    return "stored";
  }
}

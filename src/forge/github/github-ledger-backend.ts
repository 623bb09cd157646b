import type { LedgerBackend } from "../../audit/ledger-backend.js";

type Repo = { owner: string; repo: string };
type Call<Params, Data> = (params: Params) => Promise<{ data: Data }>;

/** The slice of `octokit.rest.git` the ledger uses; a ProbotOctokit satisfies it. */
export type GitDataClient = {
  rest: {
    git: {
      getRef: Call<Repo & { ref: string }, { object: { sha: string } }>;
      getCommit: Call<Repo & { commit_sha: string }, { tree: { sha: string } }>;
      getTree: Call<
        Repo & { tree_sha: string },
        { tree: { path?: string; type?: string; sha?: string | null }[] }
      >;
      getBlob: Call<Repo & { file_sha: string }, { content: string; encoding: string }>;
      createBlob: Call<Repo & { content: string; encoding: string }, { sha: string }>;
      createTree: Call<
        Repo & { base_tree?: string; tree: { path: string; mode: "100644"; type: "blob"; sha: string }[] },
        { sha: string }
      >;
      createCommit: Call<Repo & { message: string; tree: string; parents: string[] }, { sha: string }>;
      updateRef: Call<Repo & { ref: string; sha: string; force: boolean }, unknown>;
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
}

/**
 * The ledger on the `remedy-audit` branch, written with the Git Data API. The version is the branch
 * head commit; a store makes blob, tree and a commit whose only parent is that head, then moves the
 * ref without force, so GitHub refuses the move when someone else appended first ("not a fast
 * forward"), which is the compare-and-swap the ledger needs. The branch does not share history with
 * the default branch: the first store makes a parentless commit and creates the ref.
 */
export class GitHubLedgerBackend implements LedgerBackend {
  readonly #client: GitDataClient;
  readonly #repo: Repo;
  readonly #branch: string;
  readonly #path: string;
  // Commits are immutable, so the tree of a head seen by load() can be reused by the store after it.
  readonly #treeOf = new Map<string, string>();

  constructor(client: GitDataClient, opts: GitHubLedgerOptions) {
    this.#client = client;
    this.#repo = { owner: opts.owner, repo: opts.repo };
    this.#branch = opts.branch ?? "remedy-audit";
    this.#path = opts.path ?? "ledger.jsonl";
  }

  async load(): Promise<{ text: string; version: string | null }> {
    const git = this.#client.rest.git;
    let head: string;
    try {
      head = (await git.getRef({ ...this.#repo, ref: `heads/${this.#branch}` })).data.object.sha;
    } catch (error) {
      if (statusOf(error) === 404) return { text: "", version: null };
      throw error;
    }
    const tree = await this.#treeSha(head);
    const listing = (await git.getTree({ ...this.#repo, tree_sha: tree })).data.tree;
    const file = listing.find((item) => item.path === this.#path && item.type === "blob");
    if (file?.sha === undefined || file.sha === null) return { text: "", version: head };
    const blob = (await git.getBlob({ ...this.#repo, file_sha: file.sha })).data;
    const text =
      blob.encoding === "base64" ? Buffer.from(blob.content, "base64").toString("utf8") : blob.content;
    return { text, version: head };
  }

  async store(text: string, expectedVersion: string | null, message: string): Promise<"stored" | "conflict"> {
    const git = this.#client.rest.git;
    // base64 keeps the bytes exact; the hashes are over UTF-8 and must survive the trip.
    const blob = await git.createBlob({
      ...this.#repo,
      content: Buffer.from(text, "utf8").toString("base64"),
      encoding: "base64",
    });
    const entry = { path: this.#path, mode: "100644" as const, type: "blob" as const, sha: blob.data.sha };
    const tree = await git.createTree({
      ...this.#repo,
      ...(expectedVersion === null ? {} : { base_tree: await this.#treeSha(expectedVersion) }),
      tree: [entry],
    });
    const commit = await git.createCommit({
      ...this.#repo,
      message,
      tree: tree.data.sha,
      parents: expectedVersion === null ? [] : [expectedVersion],
    });
    try {
      if (expectedVersion === null) {
        await git.createRef({ ...this.#repo, ref: `refs/heads/${this.#branch}`, sha: commit.data.sha });
      } else {
        await git.updateRef({
          ...this.#repo,
          ref: `heads/${this.#branch}`,
          sha: commit.data.sha,
          force: false,
        });
      }
    } catch (error) {
      if (isLostRace(error)) return "conflict";
      throw error;
    }
    this.#treeOf.set(commit.data.sha, tree.data.sha);
    return "stored";
  }

  async #treeSha(commit: string): Promise<string> {
    const cached = this.#treeOf.get(commit);
    if (cached !== undefined) return cached;
    const tree = (await this.#client.rest.git.getCommit({ ...this.#repo, commit_sha: commit })).data.tree.sha;
    this.#treeOf.set(commit, tree);
    return tree;
  }
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

// Only the answers that mean "someone else moved the branch"; any other 422 (say, a ruleset that
// blocks the push) is a real failure and must not be retried as a race.
function isLostRace(error: unknown): boolean {
  if (statusOf(error) !== 422) return false;
  const message = error instanceof Error ? error.message : String(error);
  return /not a fast[- ]forward|reference already exists|reference cannot be updated/i.test(message);
}

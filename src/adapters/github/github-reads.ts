import type { TreeListing } from "../../forge/forge.js";
import type { FileVersion } from "../../repo/repo-reader.js";
import { normalize, orNull, type GitHubContext } from "./github-context.js";
import type { CommitPull, CommitTree } from "./github-cache.js";
import { parseAnswer, RestBlobAnswer, RestCommitPullsAnswer, RestCommitsAnswer } from "./graphql-answers.js";
import { PAGE } from "./graphql-documents.js";
import { statusOf } from "./http-errors.js";

// Reads at a commit go through its file listing (one request) and fetch the texts of a folder's
// files together: up to this many blob GETs side by side. REST, not one GraphQL query: Probot's
// write throttle spaces every GraphQL request a second apart like a write, GETs not at all.
const BLOB_BATCH = 30;
const BLOB_BATCH_MAX_BYTES = 256 * 1024;
const BATCHED_FILE = /\.(ya?ml|json)$/i;
const COMMIT_SHA = /^[0-9a-f]{40}$/i;

/**
 * The forge's reads: the default branch, branch heads, files, folders and file histories, all REST
 * GETs. At a commit sha everything is immutable, so the commit's tree, the blob texts and histories
 * are cached process-wide and a folder's files are fetched in one batch.
 */
export class GitHubReads {
  readonly #ctx: GitHubContext;
  readonly #treeLoads = new Map<string, Promise<CommitTree>>();
  readonly #blobLoads = new Map<string, Promise<string>>();
  #repositoryRead: Promise<{ defaultBranch: string; id: string }> | undefined;

  constructor(ctx: GitHubContext) {
    this.#ctx = ctx;
  }

  defaultBranch(): Promise<string> {
    const known = this.#ctx.cache.defaultBranch(this.#ctx.repo);
    if (known !== undefined) return Promise.resolve(known);
    return this.#repository().then((repository) => repository.defaultBranch);
  }

  /** One `GET /repos/{owner}/{repo}` at a time; it also tells the node id (cached for repositoryIdOf). */
  #repository(): Promise<{ defaultBranch: string; id: string }> {
    this.#repositoryRead ??= this.#ctx.octokit
      .request("GET /repos/{owner}/{repo}", this.#ctx.r)
      .then((response) => {
        this.#repositoryRead = undefined;
        this.#ctx.cache.setDefaultBranch(this.#ctx.repo, response.data.default_branch);
        this.#ctx.cache.setRepositoryId(this.#ctx.repo, response.data.node_id);
        return { defaultBranch: response.data.default_branch, id: response.data.node_id };
      })
      .catch((error: unknown) => {
        this.#repositoryRead = undefined;
        throw error;
      });
    return this.#repositoryRead;
  }

  async branchHead(branch: string): Promise<string | null> {
    const ref = await orNull(
      this.#ctx.octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", {
        ...this.#ctx.r,
        ref: `heads/${branch}`,
      }),
    );
    return ref?.data.object.sha ?? null;
  }

  /**
   * At a commit sha, reads come from the commit's file listing and a process-wide cache of blob
   * texts (both immutable): a file that is not in the listing is absent without asking, and the
   * first read in a folder fetches that folder's files in one request. Branch names go to the
   * contents API, which always answers for the branch's current head.
   */
  async readFile(path: string, ref?: string): Promise<string | null> {
    const file = normalize(path);
    if (ref !== undefined && COMMIT_SHA.test(ref)) {
      const tree = await this.#commitTree(ref);
      if (!tree.truncated) {
        const entry = tree.files.get(file);
        return entry === undefined ? null : this.#text(tree, file, entry.oid);
      }
    }
    return this.#contentsFile(file, ref);
  }

  async listFiles(dir: string, ref?: string): Promise<string[]> {
    const folder = normalize(dir).replace(/\/$/, "");
    if (ref !== undefined && COMMIT_SHA.test(ref)) {
      const tree = await this.#commitTree(ref);
      if (!tree.truncated) return [...tree.files.keys()].filter((path) => parentOf(path) === folder).sort();
    }
    const response = await orNull(
      this.#ctx.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        ...this.#ctx.r,
        path: folder,
        ...(ref === undefined ? {} : { ref }),
      }),
    );
    const data = response?.data;
    if (data === undefined || !Array.isArray(data)) return [];
    return data
      .filter((entry) => entry.type === "file")
      .map((entry) => entry.path)
      .sort();
  }

  /** Every file of a commit, from the same cached recursive tree the reads at a sha use. */
  async listTree(ref: string): Promise<TreeListing> {
    const tree = await this.#commitTree(ref);
    const sizes = new Map([...tree.files].map(([path, entry]) => [path, entry.size]));
    return { paths: [...tree.files.keys()].sort(), truncated: tree.truncated, sizes };
  }

  /**
   * REST GETs, not one GraphQL query (Probot's write throttle would space that a second apart like a
   * write): the commits that changed the file, newest first, then for each version the file's text
   * and the PR that brought it in, all versions side by side. At a commit sha the history can never
   * change, so it is cached (the planner, `/dry-run` and `/rollback` read the same file's history at
   * the same base); so is each version's blob id and PR, so at a new base only its new versions cost
   * requests.
   */
  async fileHistory(path: string, limit: number, ref?: string): Promise<FileVersion[]> {
    const first = Math.max(1, Math.min(PAGE, Math.floor(limit)));
    const file = normalize(path);
    const immutable = ref !== undefined && COMMIT_SHA.test(ref);
    if (immutable) {
      const cached = this.#ctx.cache.history(this.#ctx.repo, ref, file, first);
      if (cached !== undefined) return cached;
    }
    // Without a ref GitHub lists from the default branch's head. A ref that names nothing (404) and
    // an empty repository (409) have no history.
    const response = await orNull(
      this.#ctx.octokit
        .request("GET /repos/{owner}/{repo}/commits", {
          ...this.#ctx.r,
          ...(ref === undefined ? {} : { sha: ref }),
          path: file,
          per_page: first,
        })
        .catch((error: unknown) => {
          if (statusOf(error) === 409) return null;
          throw error;
        }),
    );
    const commits = parseAnswer("GET /commits?path", RestCommitsAnswer, response?.data ?? []);
    const versions = await Promise.all(
      commits.slice(0, first).map(async (entry): Promise<FileVersion> => {
        const [content, pull] = await Promise.all([
          this.#versionText(file, entry.sha),
          this.#commitPull(entry.sha),
        ]);
        const author = entry.author?.login ?? entry.commit.author?.name ?? null;
        return {
          sha: entry.sha,
          at: entry.commit.committer.date,
          message: entry.commit.message,
          content,
          ...(author === null ? {} : { author }),
          ...(pull === null ? {} : { pullRequest: pull }),
        };
      }),
    );
    if (immutable) this.#ctx.cache.setHistory(this.#ctx.repo, ref, file, first, versions);
    return versions;
  }

  /**
   * The file's text at one version, null when the commit deleted it or it is binary (git's test, on
   * the text: a NUL among its first 8000 characters), as GraphQL's `Blob.text` answered. Its blob id
   * comes from the cache, the commit's cached listing, or one contents GET (which brings the text).
   */
  async #versionText(path: string, commit: string): Promise<string | null> {
    const repo = this.#ctx.repo;
    let oid = this.#ctx.cache.fileAt(repo, commit, path);
    let text: string | null = null;
    if (oid === undefined) {
      const tree = this.#ctx.cache.tree(repo, commit);
      if (tree !== undefined && !tree.truncated) oid = tree.files.get(path)?.oid ?? null;
      else {
        const blob = await this.#contentsBlob(path, commit);
        [oid, text] = blob === null ? [null, null] : [blob.oid, blob.text];
      }
      this.#ctx.cache.setFileAt(repo, commit, path, oid);
    }
    if (oid !== null) text ??= await this.#blobText(oid);
    return text === null || text.slice(0, 8000).includes("\u0000") ? null : text;
  }

  /** The pull request that brought a commit in (GitHub's first for it), null for none; cached. */
  async #commitPull(commit: string): Promise<CommitPull | null> {
    const known = this.#ctx.cache.commitPull(this.#ctx.repo, commit);
    if (known !== undefined) return known;
    const response = await orNull(
      this.#ctx.octokit.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", {
        ...this.#ctx.r,
        commit_sha: commit,
        per_page: 1,
      }),
    );
    const first = parseAnswer("GET /commits/{sha}/pulls", RestCommitPullsAnswer, response?.data ?? [])[0];
    const pull =
      first === undefined
        ? null
        : { number: first.number, ...(first.user === null ? {} : { author: first.user.login }) };
    this.#ctx.cache.setCommitPull(this.#ctx.repo, commit, pull);
    return pull;
  }

  /** A file on the default branch of another repository the installation can see (`_extends`). */
  async readFileIn(repo: string, path: string): Promise<string | null> {
    const [owner, name, ...rest] = repo.split("/");
    if (owner === undefined || name === undefined || rest.length > 0) return null;
    // A repository the installation cannot see answers 404, like a missing file.
    const response = await orNull(
      this.#ctx.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        owner,
        repo: name,
        path: normalize(path),
      }),
    );
    const data = response?.data;
    if (data === undefined || Array.isArray(data) || data.type !== "file" || !("content" in data))
      return null;
    if (data.encoding === "none" || (data.content === "" && data.size > 0)) return null;
    return decode(data.content);
  }

  async #contentsFile(path: string, ref: string | undefined): Promise<string | null> {
    return (await this.#contentsBlob(path, ref))?.text ?? null;
  }

  /** A file through the contents API: its blob id and text, or null when there is no such file. */
  async #contentsBlob(path: string, ref: string | undefined): Promise<{ oid: string; text: string } | null> {
    const response = await orNull(
      this.#ctx.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        ...this.#ctx.r,
        path,
        ...(ref === undefined ? {} : { ref }),
      }),
    );
    const data = response?.data;
    if (data === undefined || Array.isArray(data) || data.type !== "file" || !("content" in data))
      return null;
    // Files over 1 MB come back without content; the blob endpoint still has them.
    if (data.encoding === "none" || (data.content === "" && data.size > 0))
      return { oid: data.sha, text: await this.#blobText(data.sha) };
    // The blob is immutable whatever ref found it: a later read of the same blob costs nothing.
    const text = decode(data.content);
    this.#ctx.cache.setBlob(this.#ctx.repo, data.sha, text);
    return { oid: data.sha, text };
  }

  /** Every file of a commit, one request (the tree endpoint resolves a commit sha to its tree). */
  #commitTree(commit: string): Promise<CommitTree> {
    const cached = this.#ctx.cache.tree(this.#ctx.repo, commit);
    if (cached !== undefined) return Promise.resolve(cached);
    let load = this.#treeLoads.get(commit);
    if (load === undefined) {
      load = this.#ctx.octokit
        .request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
          ...this.#ctx.r,
          tree_sha: commit,
          recursive: "1",
        })
        .then(({ data }) => {
          const files = new Map<string, { oid: string; size: number }>();
          for (const entry of data.tree)
            if (entry.type === "blob" && entry.path !== undefined && entry.sha !== undefined)
              files.set(entry.path, { oid: entry.sha, size: entry.size ?? 0 });
          const tree: CommitTree = { files, truncated: data.truncated };
          this.#ctx.cache.setTree(this.#ctx.repo, commit, tree);
          return tree;
        })
        .finally(() => this.#treeLoads.delete(commit));
      this.#treeLoads.set(commit, load);
    }
    return load;
  }

  /**
   * A blob's text from the cache, or fetched together with the other uncached files of every folder
   * read before in this repository (runbooks, policies, the services' manifest folders), so a new
   * base commit costs one request for whatever changed.
   */
  async #text(tree: CommitTree, path: string, oid: string): Promise<string> {
    const cached = this.#ctx.cache.blob(this.#ctx.repo, oid);
    if (cached !== undefined) return cached;
    const hot = this.#ctx.cache.hotDirs(this.#ctx.repo);
    hot.add(parentOf(path));
    const wanted = new Set([oid]);
    for (const [other, entry] of tree.files) {
      if (wanted.size >= BLOB_BATCH) break;
      if (
        hot.has(parentOf(other)) &&
        BATCHED_FILE.test(other) &&
        entry.size <= BLOB_BATCH_MAX_BYTES &&
        this.#ctx.cache.blob(this.#ctx.repo, entry.oid) === undefined
      )
        wanted.add(entry.oid);
    }
    const texts = await this.#blobTexts([...wanted]);
    return texts.get(oid) ?? (await this.#blobText(oid));
  }

  async #blobTexts(oids: string[]): Promise<Map<string, string>> {
    const texts = await Promise.all(oids.map(async (oid) => [oid, await this.#blobText(oid)] as const));
    return new Map(texts);
  }

  /** One blob's text, cached by id; one request per blob at a time, however many reads want it. */
  #blobText(sha: string): Promise<string> {
    const cached = this.#ctx.cache.blob(this.#ctx.repo, sha);
    if (cached !== undefined) return Promise.resolve(cached);
    let load = this.#blobLoads.get(sha);
    if (load === undefined) {
      load = this.#ctx.octokit
        .request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", { ...this.#ctx.r, file_sha: sha })
        .then(({ data }) => {
          const blob = parseAnswer("GET /git/blobs", RestBlobAnswer, data);
          const text = blob.encoding === "base64" ? decode(blob.content) : blob.content;
          this.#ctx.cache.setBlob(this.#ctx.repo, sha, text);
          return text;
        })
        .finally(() => this.#blobLoads.delete(sha));
      this.#blobLoads.set(sha, load);
    }
    return load;
  }
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

function decode(base64: string): string {
  return Buffer.from(base64, "base64").toString("utf8");
}

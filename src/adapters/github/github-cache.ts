import type { FileVersion } from "../../repo/repo-reader.js";

/**
 * What one Remedy process remembers about repositories between deliveries, so an incident storm
 * does not re-read the same files for every alert. Only two kinds of thing are kept:
 *
 * - content addressed by an immutable git object id (a commit's file listing, a file's history
 *   as seen from a commit, a blob's text),
 *   which can never go stale;
 * - the last known state of mutable things (the ledger's head and text, the default branch name,
 *   the node id "owner/name" stands for), which is only ever used where a stale value is caught:
 *   the ledger write is a compare-and-swap that fails on a stale head, and the default branch name
 *   and the node id (a renamed or replaced repository) expire after a few minutes.
 *
 * Every key starts with "owner/name", so installations never share entries.
 */
export interface CommitTree {
  /** Repository path → blob id and size, for every file in the commit. */
  files: Map<string, { oid: string; size: number }>;
  /** GitHub truncates listings of very large trees; then the listing cannot answer "absent". */
  truncated: boolean;
}

/** A commit's pull request as a file's history names it: its number and who opened it. */
export interface CommitPull {
  number: number;
  author?: string;
}

export interface LedgerState {
  version: string;
  text: string;
}

export interface GitHubCacheOptions {
  /** Commit listings kept (least recently used go first). Default 64. */
  maxTrees?: number;
  /** Files at a commit and commits' pull requests kept, each (small entries). Default 16384. */
  maxVersions?: number;
  /** Total characters of blob text kept. Default 32 million (~64 MB of UTF-16). */
  maxBlobChars?: number;
  /** How long a default branch name is trusted. Default 5 minutes. */
  defaultBranchTtlMs?: number;
  now?: () => number;
}

export class GitHubCache {
  readonly #trees = new Map<string, CommitTree>();
  readonly #blobs = new Map<string, string>();
  readonly #ledgers = new Map<string, LedgerState>();
  readonly #defaultBranches = new Map<string, { name: string; until: number }>();
  readonly #repositoryIds = new Map<string, { id: string; until: number }>();
  readonly #hotDirs = new Map<string, Set<string>>();
  readonly #histories = new Map<string, FileVersion[]>();
  readonly #filesAt = new Map<string, string | null>();
  readonly #pulls = new Map<string, CommitPull | null>();
  readonly #maxTrees: number;
  readonly #maxVersions: number;
  readonly #maxBlobChars: number;
  readonly #defaultBranchTtlMs: number;
  readonly #now: () => number;
  #blobChars = 0;

  constructor(options: GitHubCacheOptions = {}) {
    this.#maxTrees = options.maxTrees ?? 64;
    this.#maxVersions = options.maxVersions ?? 16_384;
    this.#maxBlobChars = options.maxBlobChars ?? 32_000_000;
    this.#defaultBranchTtlMs = options.defaultBranchTtlMs ?? 5 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  tree(repo: string, commit: string): CommitTree | undefined {
    return touch(this.#trees, `${repo}@${commit}`);
  }

  setTree(repo: string, commit: string, tree: CommitTree): void {
    this.#trees.set(`${repo}@${commit}`, tree);
    for (const key of this.#trees.keys()) {
      if (this.#trees.size <= this.#maxTrees) break;
      this.#trees.delete(key);
    }
  }

  /** A file's history as seen from one commit: immutable, like the commit's listing. */
  history(repo: string, commit: string, path: string, limit: number): FileVersion[] | undefined {
    return touch(this.#histories, `${repo}@${commit}:${limit}:${path}`);
  }

  setHistory(repo: string, commit: string, path: string, limit: number, versions: FileVersion[]): void {
    this.#histories.set(`${repo}@${commit}:${limit}:${path}`, versions);
    for (const key of this.#histories.keys()) {
      if (this.#histories.size <= this.#maxTrees) break;
      this.#histories.delete(key);
    }
  }

  /** The blob id of `path` at one commit, null when the commit has no such file; immutable. */
  fileAt(repo: string, commit: string, path: string): string | null | undefined {
    return touch(this.#filesAt, `${repo}@${commit}:${path}`);
  }

  setFileAt(repo: string, commit: string, path: string, oid: string | null): void {
    bounded(this.#filesAt, `${repo}@${commit}:${path}`, oid, this.#maxVersions);
  }

  /** The pull request that brought a commit in, null when none did (a push); kept once known. */
  commitPull(repo: string, commit: string): CommitPull | null | undefined {
    return touch(this.#pulls, `${repo}@${commit}`);
  }

  setCommitPull(repo: string, commit: string, pull: CommitPull | null): void {
    bounded(this.#pulls, `${repo}@${commit}`, pull, this.#maxVersions);
  }

  blob(repo: string, oid: string): string | undefined {
    return touch(this.#blobs, `${repo}:${oid}`);
  }

  setBlob(repo: string, oid: string, text: string): void {
    // A single text larger than the whole budget is not worth evicting everything else for.
    if (text.length > this.#maxBlobChars / 4) return;
    const key = `${repo}:${oid}`;
    const old = this.#blobs.get(key);
    if (old !== undefined) this.#blobChars -= old.length;
    this.#blobs.set(key, text);
    this.#blobChars += text.length;
    for (const [other, value] of this.#blobs) {
      if (this.#blobChars <= this.#maxBlobChars) break;
      this.#blobs.delete(other);
      this.#blobChars -= value.length;
    }
  }

  /** Folders read before in this repository: their files are fetched together next time. */
  hotDirs(repo: string): Set<string> {
    let dirs = this.#hotDirs.get(repo);
    if (dirs === undefined) {
      dirs = new Set();
      this.#hotDirs.set(repo, dirs);
    }
    return dirs;
  }

  ledger(repo: string): LedgerState | undefined {
    return this.#ledgers.get(repo);
  }

  setLedger(repo: string, state: LedgerState | undefined): void {
    if (state === undefined) this.#ledgers.delete(repo);
    else this.#ledgers.set(repo, state);
  }

  defaultBranch(repo: string): string | undefined {
    const entry = this.#defaultBranches.get(repo);
    if (entry === undefined || entry.until <= this.#now()) return undefined;
    return entry.name;
  }

  setDefaultBranch(repo: string, name: string): void {
    this.#defaultBranches.set(repo, { name, until: this.#now() + this.#defaultBranchTtlMs });
  }

  /** The repository's node id, trusted as long as a default branch name is. */
  repositoryId(repo: string): string | undefined {
    const entry = this.#repositoryIds.get(repo);
    if (entry === undefined || entry.until <= this.#now()) return undefined;
    return entry.id;
  }

  setRepositoryId(repo: string, id: string): void {
    this.#repositoryIds.set(repo, { id, until: this.#now() + this.#defaultBranchTtlMs });
  }
}

// Map iteration order is insertion order: re-inserting on read makes the first key the least recent.
function touch<V>(map: Map<string, V>, key: string): V | undefined {
  const value = map.get(key);
  if (value === undefined) return undefined;
  map.delete(key);
  map.set(key, value);
  return value;
}

/** `key` set to `value`, the least recently used entries dropped beyond `max`. */
function bounded<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  for (const other of map.keys()) {
    if (map.size <= max) break;
    map.delete(other);
  }
}

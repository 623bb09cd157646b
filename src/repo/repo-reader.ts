import type { ExtendsSource } from "../config/resolve-extends.js";

/** Read access to the GitOps repository at one revision: a local checkout, the forge, or memory. */
export interface RepoReader {
  /** File content, or null when the path does not exist. */
  readFile(path: string): Promise<string | null>;
  /** Repository paths of the files directly inside `dir` (not recursive), sorted. */
  listFiles(dir: string): Promise<string[]>;
  /** Other repositories of the same owner, for `_extends` in .github/remedy.yml; absent offline. */
  extendsSource?: ExtendsSource;
}

/** One earlier version of a file, newest first in a history. */
export interface FileVersion {
  sha: string;
  at: string;
  /** The commit message (the forge may give only its subject line). Untrusted text. */
  message: string;
  content: string | null;
  /** Who made the change: the login when the forge knows it, else the commit author's name. Untrusted. */
  author?: string;
  /** The pull request that merged the commit, when known; `author` is who opened it. */
  pullRequest?: { number: number; author?: string };
}

export interface HistoryReader {
  fileHistory(path: string, limit: number): Promise<FileVersion[]>;
}

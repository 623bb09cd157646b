/** Read access to the GitOps repository at one revision: a local checkout, the forge, or memory. */
export interface RepoReader {
  /** File content, or null when the path does not exist. */
  readFile(path: string): Promise<string | null>;
  /** Repository paths of the files directly inside `dir` (not recursive), sorted. */
  listFiles(dir: string): Promise<string[]>;
}

/** One earlier version of a file, newest first in a history. */
export interface FileVersion {
  sha: string;
  at: string;
  message: string;
  content: string | null;
}

export interface HistoryReader {
  fileHistory(path: string, limit: number): Promise<FileVersion[]>;
}

import type { Forge } from "../forge/forge.js";
import type { HistoryReader, RepoReader } from "../repo/repo-reader.js";

/** The forge seen as a repository at one commit, for the pure loaders and the planner. */
export function repoAt(forge: Forge, sha: string): RepoReader & HistoryReader {
  return {
    readFile: (path) => forge.readFile(path, sha),
    listFiles: (dir) => forge.listFiles(dir, sha),
    fileHistory: (path, limit) => forge.fileHistory(path, limit, sha),
    ...(forge.readFileIn === undefined
      ? {}
      : { extendsSource: { repo: forge.repo, read: (repo, path) => forge.readFileIn!(repo, path) } }),
  };
}

import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join, posix } from "node:path";
import { promisify } from "node:util";
import { pullRequestNumber } from "../../repo/pull-request-number.js";
import type { FileVersion, HistoryReader, RepoReader } from "../../repo/repo-reader.js";

const run = promisify(execFile);

/** A local checkout: files from the working tree, history from git (empty when DIR is not a repository). */
export function localRepo(dir: string): RepoReader & HistoryReader {
  const inside = (path: string) => {
    const normal = posix.normalize(path.replace(/\\/g, "/"));
    if (normal.startsWith("../") || normal.startsWith("/"))
      throw new Error(`${path} is outside the repository`);
    return join(dir, normal);
  };
  return {
    async readFile(path) {
      try {
        return await readFile(inside(path), "utf8");
      } catch (error) {
        if (
          (error as NodeJS.ErrnoException).code === "ENOENT" ||
          (error as NodeJS.ErrnoException).code === "EISDIR"
        )
          return null;
        throw error;
      }
    },
    async listFiles(folder) {
      try {
        const entries = await readdir(inside(folder), { withFileTypes: true });
        return entries
          .filter((e) => e.isFile())
          .map((e) => posix.join(folder, e.name))
          .sort();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw error;
      }
    },
    fileHistory: (path, limit) => gitFileHistory(dir, path, limit),
  };
}

/** The file's last `limit` commits, each with its content then; empty when DIR is not a git repository. */
async function gitFileHistory(dir: string, path: string, limit: number): Promise<FileVersion[]> {
  try {
    const { stdout } = await run(
      "git",
      ["-C", dir, "log", `-n${limit}`, "--format=%H%x1f%aI%x1f%an%x1f%s", "--", path],
      { maxBuffer: 8 * 1024 * 1024 },
    );
    const versions: FileVersion[] = [];
    for (const line of stdout.split("\n").filter(Boolean)) {
      const [sha, at, author, message] = line.split("\x1f") as [string, string, string, string];
      const content = await run("git", ["-C", dir, "show", `${sha}:${path}`], {
        maxBuffer: 8 * 1024 * 1024,
      }).then(
        (r) => r.stdout,
        () => null,
      );
      const pr = pullRequestNumber(message);
      versions.push({
        sha,
        at,
        message,
        content,
        ...(author === "" ? {} : { author }),
        ...(pr === null ? {} : { pullRequest: { number: pr } }),
      });
    }
    return versions;
  } catch {
    return [];
  }
}

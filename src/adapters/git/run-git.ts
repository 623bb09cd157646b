import { execFile } from "node:child_process";
import type { GitRunner } from "../../audit/git-runner.js";

/** The `GitRunner` of a local clone: real `git` with `dir` as its working directory. */
export function gitRunnerIn(dir: string): GitRunner {
  return (args, input) =>
    new Promise((resolve, reject) => {
      const child = execFile(
        "git",
        [...args],
        {
          cwd: dir,
          encoding: "buffer",
          // A ledger and a `git log` of a long history outgrow the 1 MiB default.
          maxBuffer: 1024 * 1024 * 1024,
          env: gitEnv(),
        },
        (error, stdout, stderr) => {
          if (error !== null && typeof error.code !== "number") {
            reject(error);
            return;
          }
          resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr: stderr.toString("utf8") });
        },
      );
      // git may exit without reading its input (a failed rev-parse, say); its exit code reports that,
      // so the broken pipe is not an error of its own.
      child.stdin?.on("error", () => undefined);
      child.stdin?.end(input);
    });
}

// The repository is the one `dir` names, whatever a calling hook or shell exported; messages are
// stable English; a verification never waits on a credential prompt.
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: "C", GIT_TERMINAL_PROMPT: "0" };
  for (const name of [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_COMMON_DIR",
  ]) {
    delete env[name];
  }
  return env;
}

export interface GitOutput {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs `git` in one repository; a non-zero exit is returned, not thrown, since callers branch on it.
 * The port the ledger's local-clone checks read through; `adapters/git/run-git.ts` runs real git.
 */
export type GitRunner = (args: readonly string[], input?: string) => Promise<GitOutput>;

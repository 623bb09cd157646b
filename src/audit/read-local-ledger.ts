import type { GitRunner } from "./git-runner.js";

export const LEDGER_FILE = "ledger.jsonl";

/**
 * ok: the ledger text at the commit `ref` resolved to. bad: the ref exists but holds no ledger.
 * unusable: nothing could be read (no such directory, not a git clone, ref not found).
 */
export type LocalLedger =
  | { status: "ok"; text: string; commit: string; ref: string; git: GitRunner }
  | { status: "bad"; message: string }
  | { status: "unusable"; message: string };

/**
 * Reads `ledger.jsonl` at `ref` of a local clone through `git` (real git in the CLI), as
 * `remedy audit verify` and `remedy audit stats` do: `ref` itself, else `origin/<ref>`, so a plain
 * clone works after a fetch.
 */
export async function readLocalLedger(opts: {
  repo: string;
  ref: string;
  git: GitRunner;
}): Promise<LocalLedger> {
  if (opts.ref === "" || opts.ref.startsWith("-")) {
    return { status: "unusable", message: `--ref ${JSON.stringify(opts.ref)} is not a ref name` };
  }
  const { git } = opts;
  // git cannot start in a directory that does not exist: that is the one error the runner throws.
  const inside = await git(["rev-parse", "--git-dir"]).catch(() => null);
  if (inside === null) return { status: "unusable", message: `${opts.repo} is not a directory` };
  if (inside.code !== 0) return { status: "unusable", message: `${opts.repo} is not a git clone` };

  const candidates =
    opts.ref.startsWith("refs/") || opts.ref.startsWith("origin/")
      ? [opts.ref]
      : [opts.ref, `origin/${opts.ref}`];
  for (const candidate of candidates) {
    const found = await git(["rev-parse", "--verify", "--quiet", `${candidate}^{commit}`]);
    if (found.code !== 0) continue;
    const commit = found.stdout.toString("utf8").trim();
    const blob = await git(["cat-file", "blob", `${commit}:${LEDGER_FILE}`]);
    if (blob.code !== 0) return { status: "bad", message: `${LEDGER_FILE} not found at ${candidate}` };
    return { status: "ok", text: blob.stdout.toString("utf8"), commit, ref: candidate, git };
  }
  return {
    status: "unusable",
    message:
      `ref ${candidates.join(" or ")} not found in ${opts.repo}; ` +
      `fetch the ledger first: git fetch origin ${opts.ref}:${opts.ref}`,
  };
}

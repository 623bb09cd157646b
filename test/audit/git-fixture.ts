import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gitRunnerIn } from "../../src/adapters/git/run-git.js";
import type { LedgerBackend } from "../../src/audit/ledger-backend.js";

// Commits are made with a fixed identity and without the user's global or system configuration
// (signing, hooks, default branch), so the tests behave the same on every machine.
process.env.GIT_CONFIG_GLOBAL = "/dev/null";
process.env.GIT_CONFIG_NOSYSTEM = "1";
process.env.GIT_AUTHOR_NAME = "Test";
process.env.GIT_AUTHOR_EMAIL = "test@example.com";
process.env.GIT_COMMITTER_NAME = "Test";
process.env.GIT_COMMITTER_EMAIL = "test@example.com";

export const ZERO_OID = "0".repeat(40);

export async function git(dir: string, args: readonly string[], input?: string): Promise<string> {
  const out = await gitRunnerIn(dir)(args, input);
  if (out.code !== 0) throw new Error(`git ${args.join(" ")} failed: ${out.stderr}`);
  return out.stdout.toString("utf8").trim();
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A GitOps repository with one commit on main. */
export async function makeRepo(): Promise<string> {
  const dir = await tempDir("remedy-audit-");
  await git(dir, ["init", "-q", "-b", "main"]);
  await commitFile(
    dir,
    "manifests/checkout-api/kustomization.yaml",
    "replicas:\n  - name: checkout-api\n    count: 4\n",
    "add checkout-api",
  );
  return dir;
}

export async function commitFile(
  dir: string,
  path: string,
  content: string,
  message: string,
): Promise<string> {
  const file = join(dir, path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, content);
  await git(dir, ["add", path]);
  await git(dir, ["commit", "-q", "-F", "-"], message);
  return git(dir, ["rev-parse", "HEAD"]);
}

/** Commits `text` as ledger.jsonl on the ledger branch with plumbing, as a tamperer (or Remedy) would. */
export async function commitLedger(dir: string, text: string, message = "audit: rewrite\n"): Promise<string> {
  const parent = await git(dir, ["rev-parse", "--verify", "--quiet", "refs/heads/remedy-audit"]).catch(
    () => "",
  );
  const commit = await ledgerCommit(dir, text, parent === "" ? null : parent, message);
  await git(dir, ["update-ref", "refs/heads/remedy-audit", commit]);
  return commit;
}

async function ledgerCommit(
  dir: string,
  text: string,
  parent: string | null,
  message: string,
): Promise<string> {
  const blob = await git(dir, ["hash-object", "-w", "--stdin"], text);
  const tree = await git(dir, ["mktree"], `100644 blob ${blob}\tledger.jsonl\n`);
  return git(dir, ["commit-tree", tree, ...(parent === null ? [] : ["-p", parent]), "-F", "-"], message);
}

/**
 * A ledger on the clone's own `remedy-audit` branch, with the compare-and-swap git itself offers:
 * `update-ref <ref> <new> <old>` moves the ref only if it still points at <old>.
 */
export class LocalGitLedgerBackend implements LedgerBackend {
  constructor(private readonly dir: string) {}

  async load(): Promise<{ text: string; version: string | null }> {
    const head = await gitRunnerIn(this.dir)(["rev-parse", "--verify", "--quiet", "refs/heads/remedy-audit"]);
    if (head.code !== 0) return { text: "", version: null };
    const version = head.stdout.toString("utf8").trim();
    const blob = await gitRunnerIn(this.dir)(["cat-file", "blob", `${version}:ledger.jsonl`]);
    return { text: blob.stdout.toString("utf8"), version };
  }

  async store(text: string, expectedVersion: string | null, message: string): Promise<"stored" | "conflict"> {
    const commit = await ledgerCommit(this.dir, text, expectedVersion, message);
    const moved = await gitRunnerIn(this.dir)([
      "update-ref",
      "refs/heads/remedy-audit",
      commit,
      expectedVersion ?? ZERO_OID,
    ]);
    return moved.code === 0 ? "stored" : "conflict";
  }
}

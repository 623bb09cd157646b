import type { GitRunner } from "./git-runner.js";
import { HASH_PATTERN, type LedgerEntry } from "./ledger-entry.js";
import { parseLedger } from "./parse-ledger.js";
import { parseTrailers } from "./parse-trailers.js";
import { readLocalLedger } from "./read-local-ledger.js";
import { verifyChain } from "./verify-chain.js";
import {
  anchorsInClone,
  checkAnchors,
  checkEarlierTips,
  checkLedgerCommits,
  ledgerHistory,
  type HistoryCheck,
} from "./verify-ledger-history.js";

/**
 * ok: the ledger verifies. bad: it does not (the message names the first bad seq, line or commit).
 * unusable: nothing could be verified (no such directory, not a git clone, ref not found).
 */
export type LocalCloneVerdict =
  | { status: "ok"; count: number; head: string; checks: string[] }
  | { status: "bad"; message: string }
  | { status: "unusable"; message: string };

/**
 * `remedy audit verify` on a local clone: the chain of `ledger.jsonl` at `ref`, every `sha` an entry
 * names being a commit in the clone, and every `Remedy-Audit` trailer on any commit reachable from
 * any ref naming an entry of the ledger. The trailers anchor the ledger outside itself: a ledger
 * rewritten from some entry onwards with freshly computed hashes still chains, but no longer holds
 * the hashes that merged commits name. Then the ledger's own history: every commit of the branch
 * only appends to its parent's file and is authored by the App (`appLogin`, default the author of the
 * ledger's first commit), every earlier tip the clone's reflogs remember is still in that history
 * (no force-push), and the tail is cross-checked against the anchors outside it (trailers, PR-body
 * ledger heads). `checks` says which checks ran and which could not, and why.
 */
export async function verifyLocalClone(opts: {
  repo: string;
  ref: string;
  appLogin?: string | null;
  git: GitRunner;
}): Promise<LocalCloneVerdict> {
  const read = await readLocalLedger(opts);
  if (read.status !== "ok") return read;
  const { git, text } = read;

  const { entries } = parseLedger(text);
  const known = await existingCommits(
    git,
    entries.flatMap((entry) => (entry.sha === null ? [] : [entry.sha])),
  );
  const chain = verifyChain(text, { commitExists: (sha) => known.has(sha) });
  if (!chain.ok) {
    const where = chain.seq === null ? `line ${chain.line}` : `seq ${chain.seq}`;
    return { status: "bad", message: `${where}: ${chain.reason}` };
  }

  const byHash = new Map(entries.map((entry) => [entry.hash, entry]));
  const bySha = new Map<string, LedgerEntry[]>();
  for (const entry of entries)
    if (entry.sha !== null) bySha.set(entry.sha, [...(bySha.get(entry.sha) ?? []), entry]);
  for (const commitInfo of await remedyCommits(git)) {
    const problem = trailerProblem(commitInfo, byHash, bySha);
    if (problem !== undefined) return { status: "bad", message: problem };
  }
  const checks = [
    `chain: ${chain.count} entries, every hash, seq and prev recomputed`,
    `commits named by entries: ${known.size} found in this clone`,
  ];
  const history = await ledgerHistory(git, read.commit);
  const historyShas = new Set(history.map((commit) => commit.sha));
  const refs =
    opts.ref.startsWith("refs/") || opts.ref.startsWith("origin/")
      ? [opts.ref]
      : [opts.ref, `origin/${opts.ref}`];
  const results: HistoryCheck[] = [
    checkLedgerCommits(history, opts.appLogin ?? null),
    await checkEarlierTips(git, refs, read.commit),
    checkAnchors(entries, history, await anchorsInClone(git, historyShas)),
  ];
  for (const result of results) {
    if (!result.ok) return { status: "bad", message: result.message };
    checks.push(...result.lines);
  }
  return { status: "ok", count: chain.count, head: chain.head, checks };
}

interface CommitTrailers {
  sha: string;
  trailers: Record<string, string[]>;
}

function trailerProblem(
  commit: CommitTrailers,
  byHash: ReadonlyMap<string, { seq: number; incident: number | null }>,
  bySha: ReadonlyMap<string, ReadonlyArray<{ seq: number; incident: number | null }>>,
): string | undefined {
  const incidents = (commit.trailers["Remedy-Incident"] ?? []).map((value) => value.replace(/^#/, ""));
  for (const hash of commit.trailers["Remedy-Audit"] ?? []) {
    // The trailer anchors the ledger as it stood when the commit was made: an entry of it.
    const entry = HASH_PATTERN.test(hash) ? byHash.get(hash) : undefined;
    if (entry === undefined) {
      return `commit ${commit.sha} trailer Remedy-Audit names no ledger entry (${hash})`;
    }
  }
  // The commit and the ledger's records of it (the entries naming it) must be about the same incident.
  for (const entry of bySha.get(commit.sha) ?? []) {
    if (entry.incident !== null && incidents.length > 0 && !incidents.includes(String(entry.incident))) {
      return (
        `commit ${commit.sha} trailer Remedy-Incident #${incidents.join(", #")} does not match ` +
        `incident ${entry.incident} of seq ${entry.seq}, which names the commit`
      );
    }
  }
  return undefined;
}

/** Which of the given commit ids name a commit here, in one `git cat-file` rather than one per id. */
async function existingCommits(git: GitRunner, shas: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(shas)];
  if (unique.length === 0) return new Set();
  const out = await git(["cat-file", "--batch-check"], unique.map((sha) => `${sha}^{commit}\n`).join(""));
  const lines = out.stdout.toString("utf8").split("\n");
  return new Set(unique.filter((sha, index) => lines[index]?.startsWith(`${sha} commit `) === true));
}

/** Commits on any ref whose message mentions Remedy-Audit (git's grep narrows the log; trailers decide). */
async function remedyCommits(git: GitRunner): Promise<CommitTrailers[]> {
  const log = await git(["log", "--all", "-i", "-F", "--grep=remedy-audit:", "--format=%H%x00%B%x1e"]);
  if (log.code !== 0) throw new Error(`git log failed: ${log.stderr.trim()}`);
  return log.stdout
    .toString("utf8")
    .split("\x1e")
    .map((record) => record.replace(/^\n/, ""))
    .filter((record) => record.includes("\0"))
    .map((record) => {
      const [sha = "", message = ""] = record.split("\0");
      return { sha, trailers: parseTrailers(message) };
    })
    .filter((commit) => (commit.trailers["Remedy-Audit"] ?? []).length > 0);
}

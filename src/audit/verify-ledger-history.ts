import { HASH_PATTERN, type LedgerEntry } from "./ledger-entry.js";
import { parseTrailers } from "./parse-trailers.js";
import { LEDGER_FILE } from "./read-local-ledger.js";
import type { GitRunner } from "./git-runner.js";

/** One commit of the ledger branch's first-parent history, with its ledger text. */
export interface LedgerCommit {
  sha: string;
  parents: string[];
  author: string;
  email: string;
  /** Committer time, epoch seconds. */
  time: number;
  /** ledger.jsonl at this commit; null when the commit has none. */
  text: string | null;
}

/** A hash named outside the ledger's own history: a commit trailer or a PR body's ledger head. */
export interface Anchor {
  commit: string;
  time: number;
  hash: string;
  source: "trailer" | "pr-body";
}

export type HistoryCheck = { ok: true; lines: string[] } | { ok: false; message: string };

/** The PR body's anchor (approval-packet.ts): the ledger head when the packet was written. */
const PR_BODY_HEAD = /Audit ledger head when written: `(sha256:[0-9a-f]{64})`/g;

/** The ledger branch's commits, oldest first, each with its ledger.jsonl (one `cat-file --batch`). */
export async function ledgerHistory(git: GitRunner, tip: string): Promise<LedgerCommit[]> {
  const log = await git([
    "log",
    "--first-parent",
    "--reverse",
    "--format=%H%x00%P%x00%an%x00%ae%x00%ct",
    tip,
  ]);
  if (log.code !== 0) throw new Error(`git log failed: ${log.stderr.trim()}`);
  const commits = log.stdout
    .toString("utf8")
    .split("\n")
    .filter((line) => line.includes("\0"))
    .map((line) => {
      const [sha = "", parents = "", author = "", email = "", time = "0"] = line.split("\0");
      return { sha, parents: parents.split(" ").filter(Boolean), author, email, time: Number(time) };
    });
  const batch = await git(["cat-file", "--batch"], commits.map((c) => `${c.sha}:${LEDGER_FILE}\n`).join(""));
  const out = batch.stdout;
  let at = 0;
  const texts: Array<string | null> = [];
  for (let i = 0; i < commits.length; i += 1) {
    const end = out.indexOf(0x0a, at);
    const header = out.subarray(at, end).toString("utf8");
    at = end + 1;
    const size = /^\S+ blob (\d+)$/.exec(header)?.[1];
    if (size === undefined) {
      texts.push(null);
      continue;
    }
    texts.push(out.subarray(at, at + Number(size)).toString("utf8"));
    at += Number(size) + 1;
  }
  return commits.map((commit, i) => ({ ...commit, text: texts[i] ?? null }));
}

/** Whether a commit's git author is the App: its login as the name, or GitHub's noreply address. */
function authoredBy(commit: LedgerCommit, login: string): boolean {
  const email = commit.email.toLowerCase();
  const who = login.toLowerCase();
  return (
    commit.author.toLowerCase() === who ||
    email.endsWith(`+${who}@users.noreply.github.com`) ||
    email === `${who}@users.noreply.github.com`
  );
}

/**
 * Every ledger commit only appends to its parent's ledger.jsonl, is not a merge, and is authored by
 * the App. `appLogin` null: the author of the commit that wrote the first entry (the ledger is
 * Remedy's from its first write; pass --app-login to pin the identity rather than trust it).
 */
export function checkLedgerCommits(history: readonly LedgerCommit[], appLogin: string | null): HistoryCheck {
  const first = history.find((commit) => commit.text !== null && commit.text !== "");
  const login = appLogin ?? first?.author ?? null;
  if (first === undefined || login === null)
    return { ok: true, lines: ["ledger history: no commit holds an entry yet"] };
  let previous: string | null = null;
  for (const commit of history) {
    // Before its first write the branch may share history (merges included) with another branch.
    if (commit.parents.length > 1 && previous !== null)
      return {
        ok: false,
        message: `ledger commit ${commit.sha} is a merge; the ledger only ever appends in line`,
      };
    const text = commit.text;
    if (text === null) {
      if (previous !== null && previous !== "")
        return { ok: false, message: `ledger commit ${commit.sha} removes ${LEDGER_FILE}` };
      continue;
    }
    const parentText: string = previous ?? "";
    if (!text.startsWith(parentText) || (parentText !== "" && !parentText.endsWith("\n")))
      return {
        ok: false,
        message: `ledger commit ${commit.sha} rewrites ${LEDGER_FILE} instead of appending to its parent's`,
      };
    if (text !== parentText && !authoredBy(commit, login))
      return {
        ok: false,
        message: `ledger commit ${commit.sha} is authored by ${JSON.stringify(commit.author)} <${commit.email}>, not the App ${login}`,
      };
    previous = text;
  }
  const source = appLogin === null ? "the author of the ledger's first commit" : "--app-login";
  return {
    ok: true,
    lines: [
      `ledger history: ${history.length} commit${history.length === 1 ? "" : "s"}, each appends to its parent's ${LEDGER_FILE}, authored by ${login} (${source})`,
    ],
  };
}

/**
 * Every tip this clone's reflogs remember for the ledger refs must be in the current history: a
 * ledger ref that once pointed elsewhere was force-pushed (entries dropped, or rewritten on an
 * orphan commit). A fresh clone has no such memory; the line says so.
 */
export async function checkEarlierTips(
  git: GitRunner,
  refs: readonly string[],
  tip: string,
): Promise<HistoryCheck> {
  const seen = new Set<string>();
  for (const ref of refs) {
    const log = await git(["reflog", "show", "--format=%H", ref, "--"]);
    if (log.code !== 0) continue;
    for (const sha of log.stdout.toString("utf8").split("\n").filter(Boolean)) seen.add(sha);
  }
  seen.delete(tip);
  if (seen.size === 0)
    return { ok: true, lines: ["earlier ledger tips: none remembered by this clone's reflogs"] };
  for (const sha of seen) {
    const ancestor = await git(["merge-base", "--is-ancestor", sha, tip]);
    if (ancestor.code !== 0)
      return {
        ok: false,
        message: `the ledger ref once pointed at ${sha}, which the current ledger history does not contain: it was force-pushed or rewritten`,
      };
  }
  return { ok: true, lines: [`earlier ledger tips: ${seen.size} remembered, all in the current history`] };
}

/** Remedy-Audit trailers on commits outside the ledger's history, and ledger heads quoted from PR bodies. */
export async function anchorsInClone(git: GitRunner, ledgerShas: ReadonlySet<string>): Promise<Anchor[]> {
  const log = await git(["log", "--all", "-i", "--grep=remedy-audit", "--format=%H%x00%ct%x00%B%x1e"]);
  if (log.code !== 0) throw new Error(`git log failed: ${log.stderr.trim()}`);
  const anchors: Anchor[] = [];
  for (const record of log.stdout.toString("utf8").split("\x1e")) {
    const [sha = "", time = "0", message = ""] = record.replace(/^\n/, "").split("\0");
    if (sha === "" || ledgerShas.has(sha)) continue;
    for (const hash of parseTrailers(message)["Remedy-Audit"] ?? [])
      if (HASH_PATTERN.test(hash)) anchors.push({ commit: sha, time: Number(time), hash, source: "trailer" });
    for (const match of message.matchAll(PR_BODY_HEAD))
      anchors.push({ commit: sha, time: Number(time), hash: match[1] ?? "", source: "pr-body" });
  }
  return anchors;
}

/**
 * Cross-checks the tail against the anchors: each anchored entry is in the ledger, and the ledger
 * commit that first holds it is not newer than the commit that anchors it (a history rewritten after
 * the anchor, an orphan rewrite, holds the anchored entries only in a commit made later).
 */
export function checkAnchors(
  entries: readonly LedgerEntry[],
  history: readonly LedgerCommit[],
  anchors: readonly Anchor[],
): HistoryCheck {
  if (anchors.length === 0) return { ok: true, lines: ["anchors: none in this clone"] };
  const bySeq = new Map(entries.map((entry) => [entry.hash, entry.seq]));
  // The first ledger commit whose text holds each seq: counted by lines, as the file only appends.
  const introducedBy = (seq: number): LedgerCommit | undefined =>
    history.find((commit) => (commit.text ?? "").split("\n").filter((l) => l.trim() !== "").length >= seq);
  let last = 0;
  for (const anchor of anchors) {
    const seq = bySeq.get(anchor.hash);
    const what = anchor.source === "trailer" ? "trailer Remedy-Audit" : "PR body's ledger head";
    if (seq === undefined)
      return { ok: false, message: `commit ${anchor.commit} ${what} names no ledger entry (${anchor.hash})` };
    const introduced = introducedBy(seq);
    if (introduced !== undefined && introduced.time > anchor.time)
      return {
        ok: false,
        message:
          `seq ${seq}, anchored by commit ${anchor.commit} at ${iso(anchor.time)}, first appears in ledger commit ` +
          `${introduced.sha} made later (${iso(introduced.time)}): the ledger history was rewritten after the anchor`,
      };
    last = Math.max(last, seq);
  }
  const trailers = anchors.filter((a) => a.source === "trailer").length;
  const bodies = anchors.length - trailers;
  const after = entries.length - last;
  return {
    ok: true,
    lines: [
      `anchors: ${trailers} commit trailer${trailers === 1 ? "" : "s"}, ${bodies} PR-body ledger head${bodies === 1 ? "" : "s"}; last anchored seq ${last}` +
        (after > 0
          ? `; the ${after} entr${after === 1 ? "y" : "ies"} after it rest on the history checks alone`
          : ""),
    ],
  };
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}

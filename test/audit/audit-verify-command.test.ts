import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AuditLedger,
  hashEntry,
  parseLedger,
  serializeLedger,
  trailersFor,
  type LedgerEntry,
} from "../../src/audit/index.js";
import { verifyChain } from "../../src/audit/verify-chain.js";
import { auditVerifyCommand } from "../../src/cli/audit-verify.js";
import { event } from "./events.js";
import {
  LocalGitLedgerBackend,
  commitFile,
  commitLedger,
  git,
  makeRepo,
  removeDir,
  tempDir,
} from "./git-fixture.js";

const EVIDENCE = `sha256:${"e".repeat(64)}`;

interface Story {
  dir: string;
  ledger: AuditLedger;
  entries: LedgerEntry[];
  prCommit: string;
  mergeCommit: string;
}

/**
 * One incident's loop on a real clone: the ledger appends go through AuditLedger and a CAS on the
 * clone's own remedy-audit branch; the PR commit carries the SPEC §4 trailers naming the decision.
 */
async function honestStory(): Promise<Story> {
  const dir = await makeRepo();
  const ledger = new AuditLedger(new LocalGitLedgerBackend(dir));
  const before = await ledger.append([
    event("signal", { actor: "alertmanager", data: { groupKey: '{}:{alertname="HighErrorRate"}' } }),
    event("diagnosis", { data: { runbook: "rollback-bad-deploy", confidence: 0.82 } }),
    event("decision", { data: { decision: "propose", action: "scale", from: 4, to: 6 } }),
  ]);
  const decision = before[2] as LedgerEntry;
  await git(dir, ["checkout", "-q", "-b", "remedy/checkout-api-prod-scale-1a2b3c4d"]);
  const prCommit = await commitFile(
    dir,
    "manifests/checkout-api/kustomization.yaml",
    "replicas:\n  - name: checkout-api\n    count: 6\n",
    `scale checkout-api in prod: 4 → 6 replicas\n\n${trailersFor({ incident: 12, evidence: EVIDENCE, audit: decision.hash })}\n`,
  );
  const opened = await ledger.append([event("pr.opened", { pr: 34, sha: prCommit })]);
  await git(dir, ["checkout", "-q", "main"]);
  await git(dir, ["merge", "-q", "--no-ff", "-m", "Merge pull request #34", prCommit]);
  const mergeCommit = await git(dir, ["rev-parse", "HEAD"]);
  const after = await ledger.append([
    event("review", { pr: 34, actor: "alice", data: { state: "approved" } }),
    event("pr.merged", { pr: 34, sha: mergeCommit, actor: "alice" }),
    event("verify.started", { pr: 34, sha: mergeCommit }),
    event("verify.passed", {
      pr: 34,
      sha: mergeCommit,
      data: { error_rate: { before: 0.09, after: 0.003 } },
    }),
    event("incident.closed", { pr: 34 }),
  ]);
  return { dir, ledger, entries: [...before, ...opened, ...after], prCommit, mergeCommit };
}

async function verify(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await auditVerifyCommand(args, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out, err };
}

async function ledgerText(dir: string): Promise<string> {
  return (await new LocalGitLedgerBackend(dir).load()).text;
}

const lines = (text: string) => text.split("\n").slice(0, -1);
const join = (parts: string[]) => `${parts.join("\n")}\n`;

describe("remedy audit verify on a local clone", () => {
  let story: Story;
  const dirs: string[] = [];

  beforeEach(async () => {
    story = await honestStory();
    dirs.push(story.dir);
  });

  afterEach(async () => {
    await Promise.all(dirs.splice(0).map(removeDir));
  });

  it("accepts an honest ledger", async () => {
    const head = story.entries.at(-1)?.hash;
    expect(await verify("--repo", story.dir)).toEqual({
      code: 0,
      out: [
        `ok: 9 entries, head ${head}`,
        "  chain: 9 entries, every hash, seq and prev recomputed",
        "  commits named by entries: 2 found in this clone",
        "  ledger history: 3 commits, each appends to its parent's ledger.jsonl, authored by Test (the author of the ledger's first commit)",
        "  earlier ledger tips: 2 remembered, all in the current history",
        "  anchors: 1 commit trailer, 0 PR-body ledger heads; last anchored seq 3; the 6 entries after it rest on the history checks alone",
      ],
      err: [],
    });
    expect(await story.ledger.head()).toBe(head);
  });

  it("defaults to the current directory and reads origin/remedy-audit in a fresh clone", async () => {
    const clone = await tempDir("remedy-clone-");
    dirs.push(clone);
    await git(clone, ["clone", "-q", "--no-local", story.dir, "."]);
    await git(clone, ["fetch", "-q", "origin", "remedy-audit"]);
    expect(await git(clone, ["branch", "--list", "remedy-audit"])).toBe("");
    const cwd = process.cwd();
    process.chdir(clone);
    try {
      expect(await verify()).toMatchObject({
        code: 0,
        out: expect.arrayContaining([
          `ok: 9 entries, head ${story.entries.at(-1)?.hash}`,
          "  earlier ledger tips: none remembered by this clone's reflogs",
        ]),
      });
    } finally {
      process.chdir(cwd);
    }
  });

  it("finds an edited value", async () => {
    const parts = lines(await ledgerText(story.dir));
    parts[2] = (parts[2] as string).replace('"to":6', '"to":60');
    await commitLedger(story.dir, join(parts));
    const { code, out } = await verify("--repo", story.dir);
    expect(code).toBe(1);
    expect(out).toEqual([
      `bad: seq 3: hash mismatch (recorded ${story.entries[2]?.hash}, computed ${hashEntry({ ...(story.entries[2] as LedgerEntry), data: { ...story.entries[2]?.data, to: 60 } })})`,
    ]);
  });

  it("finds an edited value even when the whole chain after it was rehashed, through the commit trailers", async () => {
    const forged: LedgerEntry[] = [];
    for (const entry of story.entries) {
      const edited = entry.seq === 3 ? { ...entry, data: { ...entry.data, to: 60 } } : entry;
      const { hash: _old, ...rest } = { ...edited, prev: forged.at(-1)?.hash ?? edited.prev };
      forged.push({ ...rest, hash: hashEntry(rest) });
    }
    await commitLedger(story.dir, serializeLedger(forged));
    const { code, out } = await verify("--repo", story.dir);
    expect(code).toBe(1);
    expect(out[0]).toMatch(
      /^bad: commit [0-9a-f]{40} trailer Remedy-Audit names no ledger entry \(sha256:[0-9a-f]{64}\)$/,
    );
  });

  it("finds a dropped entry", async () => {
    const parts = lines(await ledgerText(story.dir));
    parts.splice(4, 1);
    await commitLedger(story.dir, join(parts));
    expect(await verify("--repo", story.dir)).toMatchObject({
      code: 1,
      out: ["bad: seq 5: expected seq 5 after 4, found 6"],
    });
  });

  it("finds reordered entries", async () => {
    const parts = lines(await ledgerText(story.dir));
    [parts[5], parts[6]] = [parts[6] as string, parts[5] as string];
    await commitLedger(story.dir, join(parts));
    expect(await verify("--repo", story.dir)).toMatchObject({
      code: 1,
      out: ["bad: seq 6: expected seq 6 after 5, found 7"],
    });
  });

  it("finds a truncated file", async () => {
    const text = await ledgerText(story.dir);
    await commitLedger(story.dir, text.slice(0, text.length - 25));
    expect(await verify("--repo", story.dir)).toMatchObject({
      code: 1,
      out: ["bad: line 9: truncated or invalid JSON"],
    });
  });

  it("finds entries cut off at a line boundary, through the trailers of the ledger's own commits", async () => {
    await commitLedger(story.dir, join(lines(await ledgerText(story.dir)).slice(0, 7)));
    const { code, out } = await verify("--repo", story.dir);
    expect(code).toBe(1);
    expect(out[0]).toMatch(/^bad: commit [0-9a-f]{40} trailer Remedy-Audit names no ledger entry/);
  });

  it("finds a sha that names no commit in the clone", async () => {
    const missing = "0123456789abcdef0123456789abcdef01234567";
    await story.ledger.append([event("revert.opened", { pr: 35, sha: missing })]);
    expect(await verify("--repo", story.dir)).toMatchObject({
      code: 1,
      out: [`bad: seq 10: sha ${missing} is not a commit in this clone`],
    });
  });

  it("finds a sha that names an object that is not a commit", async () => {
    const blob = await git(story.dir, ["hash-object", "-w", "--stdin"], "not a commit\n");
    await story.ledger.append([event("revert.opened", { pr: 35, sha: blob })]);
    expect(await verify("--repo", story.dir)).toMatchObject({
      code: 1,
      out: [`bad: seq 10: sha ${blob} is not a commit in this clone`],
    });
  });

  it("finds a commit trailer that names no entry", async () => {
    const stray = `sha256:${"f".repeat(64)}`;
    const commit = await commitFile(
      story.dir,
      "manifests/checkout-api/kustomization.yaml",
      "replicas:\n  - name: checkout-api\n    count: 8\n",
      `scale checkout-api in prod: 6 → 8 replicas\n\n${trailersFor({ incident: 12, audit: stray })}\n`,
    );
    expect(await verify("--repo", story.dir)).toMatchObject({
      code: 1,
      out: [`bad: commit ${commit} trailer Remedy-Audit names no ledger entry (${stray})`],
    });
  });

  it("finds a commit whose Remedy-Incident differs from the incident of the ledger record that names it", async () => {
    const head = story.entries.at(-1) as LedgerEntry;
    const commit = await commitFile(
      story.dir,
      "notes.txt",
      "x\n",
      `scale checkout-api in prod: 6 → 8 replicas\n\n${trailersFor({ incident: 99, audit: head.hash })}\n`,
    );
    const [record] = await story.ledger.append([event("pr.updated", { pr: 34, sha: commit })]);
    expect(await verify("--repo", story.dir)).toMatchObject({
      code: 1,
      out: [
        `bad: commit ${commit} trailer Remedy-Incident #99 does not match incident 12 of seq ${record?.seq}, which names the commit`,
      ],
    });
  });

  it("accepts a trailer that anchors the ledger head of another incident (the head as the commit was made)", async () => {
    const other = await story.ledger.append([event("signal", { incident: 40, actor: "alertmanager" })]);
    const commit = await commitFile(
      story.dir,
      "notes.txt",
      "y\n",
      `scale checkout-api in prod: 6 → 8 replicas\n\n${trailersFor({ incident: 12, audit: other[0]?.hash ?? "" })}\n`,
    );
    await story.ledger.append([event("pr.updated", { pr: 34, sha: commit })]);
    expect((await verify("--repo", story.dir)).code).toBe(0);
  });

  it("ignores Remedy-Audit mentioned outside a trailer block", async () => {
    await commitFile(
      story.dir,
      "notes.txt",
      "x\n",
      `docs: explain trailers\n\nA line such as\nRemedy-Audit: sha256:${"f".repeat(64)}\nnames an entry.\n`,
    );
    expect(await verify("--repo", story.dir)).toMatchObject({ code: 0 });
  });

  it("lands two concurrent appends against the clone's CAS and still verifies", async () => {
    const replicaA = new AuditLedger(new LocalGitLedgerBackend(story.dir));
    const replicaB = new AuditLedger(new LocalGitLedgerBackend(story.dir));
    const [a, b] = await Promise.all([
      replicaA.append([event("command", { actor: "a", data: { command: "/dry-run" } })]),
      replicaB.append([event("comment", { actor: "b" })]),
    ]);
    const entries = parseLedger(await ledgerText(story.dir)).entries;
    expect(entries.slice(9).map((entry) => entry.seq)).toEqual([10, 11]);
    expect(entries.slice(9)).toEqual(expect.arrayContaining([...a, ...b]));
    expect(await verify("--repo", story.dir)).toMatchObject({
      code: 0,
      out: expect.arrayContaining([`ok: 11 entries, head ${entries[10]?.hash}`]),
    });
  });
});

describe("remedy audit verify: the ledger's history and anchors", () => {
  let story: Story;
  const dirs: string[] = [];

  beforeEach(async () => {
    story = await honestStory();
    dirs.push(story.dir);
  });

  afterEach(async () => {
    await Promise.all(dirs.splice(0).map(removeDir));
  });

  /** `run` with git's author (and committer date) set as an attacker's tools would set them. */
  async function as<T>(env: Record<string, string>, run: () => Promise<T>): Promise<T> {
    const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
    Object.assign(process.env, env);
    try {
      return await run();
    } finally {
      for (const [key, value] of Object.entries(saved))
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
    }
  }

  /** The honest entries with `from` onwards replaced and the chain re-hashed, as a forger would. */
  function rehashed(entries: LedgerEntry[], tail: LedgerEntry[]): LedgerEntry[] {
    const forged: LedgerEntry[] = [];
    for (const entry of [...entries, ...tail]) {
      const { hash: _old, ...rest } = {
        ...entry,
        seq: forged.length + 1,
        prev: forged.at(-1)?.hash ?? entry.prev,
      };
      forged.push({ ...rest, hash: hashEntry(rest) });
    }
    return forged;
  }

  it("rejects a foreign commit that appends a correctly re-hashed entry", async () => {
    const appended = rehashed(story.entries, [
      {
        ...(story.entries.at(-1) as LedgerEntry),
        kind: "comment",
        actor: "mallory",
        data: { note: "all good" },
      },
    ]);
    const commit = await as({ GIT_AUTHOR_NAME: "mallory", GIT_AUTHOR_EMAIL: "mallory@example.com" }, () =>
      commitLedger(story.dir, serializeLedger(appended)),
    );
    // The chain itself holds: only the history says who wrote it.
    expect(verifyChain(serializeLedger(appended)).ok).toBe(true);
    expect(await verify("--repo", story.dir)).toMatchObject({
      code: 1,
      out: [`bad: ledger commit ${commit} is authored by "mallory" <mallory@example.com>, not the App Test`],
    });
  });

  it("checks the author against --app-login when given, and says which identity it checked", async () => {
    expect(await verify("--repo", story.dir, "--app-login", "remedy[bot]")).toMatchObject({
      code: 1,
      out: [
        expect.stringMatching(
          /^bad: ledger commit [0-9a-f]{40} is authored by "Test" <test@example.com>, not the App remedy\[bot\]$/,
        ),
      ],
    });
    const ok = await verify("--repo", story.dir, "--app-login=Test");
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(
      "  ledger history: 3 commits, each appends to its parent's ledger.jsonl, authored by Test (--app-login)",
    );
  });

  it("rejects a ledger commit that rewrites earlier lines instead of appending, even when every entry still verifies", async () => {
    // The first line re-serialised in another key order: same entry, same hash, chain and trailers
    // hold; but the commit changed bytes its parent had written.
    const parts = lines(await ledgerText(story.dir));
    const first = JSON.parse(parts[0] as string) as Record<string, unknown>;
    parts[0] = JSON.stringify(Object.fromEntries(Object.entries(first).reverse()));
    const commit = await commitLedger(story.dir, join(parts));
    expect(verifyChain(join(parts)).ok).toBe(true);
    expect(await verify("--repo", story.dir)).toMatchObject({
      code: 1,
      out: [`bad: ledger commit ${commit} rewrites ledger.jsonl instead of appending to its parent's`],
    });
  });

  it("rejects a force-push that dropped the last entries, through the clone's reflog", async () => {
    const tip = await git(story.dir, ["rev-parse", "refs/heads/remedy-audit"]);
    const before = await git(story.dir, ["rev-parse", "refs/heads/remedy-audit~1"]);
    // The remote was reset to an earlier ledger commit; the clone's ref follows it.
    await git(story.dir, ["update-ref", "refs/heads/remedy-audit", before]);
    expect(parseLedger(await ledgerText(story.dir)).entries).toHaveLength(4);
    expect(await verify("--repo", story.dir)).toMatchObject({
      code: 1,
      out: [
        `bad: the ledger ref once pointed at ${tip}, which the current ledger history does not contain: it was force-pushed or rewritten`,
      ],
    });
  });

  it("rejects a force-push that dropped anchored entries even in a clone with no reflog, through the anchors", async () => {
    const before = await git(story.dir, ["rev-parse", "refs/heads/remedy-audit~2"]);
    await git(story.dir, ["update-ref", "refs/heads/remedy-audit", before]);
    await git(story.dir, ["reflog", "expire", "--expire=now", "--all"]);
    // Squash merges carry the PR body, whose packet quotes the ledger head when it was written.
    const decision = story.entries[2] as LedgerEntry;
    const later = story.entries[3] as LedgerEntry;
    expect(parseLedger(await ledgerText(story.dir)).entries).toHaveLength(3);
    await commitFile(
      story.dir,
      "notes.txt",
      "x\n",
      `scale checkout-api in prod: 4 → 6 replicas (#34)\n\n<sub>Audit ledger head when written: \`${later.hash}\` (branch \`remedy-audit\`)</sub>\n`,
    );
    expect(decision.seq).toBe(3);
    const { code, out } = await verify("--repo", story.dir);
    expect(code).toBe(1);
    expect(out[0]).toMatch(
      new RegExp(
        `^bad: commit [0-9a-f]{40} PR body's ledger head names no ledger entry \\(${later.hash}\\)$`,
      ),
    );
  });

  it("rejects an orphan rewrite of the entries after the last anchor, through the anchors' times", async () => {
    // A new root commit: the anchored entries 1–3 kept byte for byte, the tail rewritten (the
    // verification failed, not passed), authored as the App, an hour after the anchoring commit.
    const tail = story.entries
      .slice(3)
      .map((entry) => (entry.kind === "verify.passed" ? { ...entry, kind: "verify.failed" } : entry));
    const forged = rehashed(story.entries.slice(0, 3), tail);
    expect(forged.slice(0, 3)).toEqual(story.entries.slice(0, 3));
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const blob = await git(story.dir, ["hash-object", "-w", "--stdin"], serializeLedger(forged));
    const tree = await git(story.dir, ["mktree"], `100644 blob ${blob}\tledger.jsonl\n`);
    const orphan = await as({ GIT_COMMITTER_DATE: later, GIT_AUTHOR_DATE: later }, () =>
      git(story.dir, ["commit-tree", tree, "-m", "audit: signal, diagnosis, decision, pr.opened (1–9)"]),
    );
    await git(story.dir, ["update-ref", "refs/heads/remedy-audit", orphan]);
    // With the reflog, the rewrite shows at once.
    expect((await verify("--repo", story.dir)).out[0]).toMatch(/^bad: the ledger ref once pointed at /);
    // A clone that never saw the old tip: the anchors date the rewrite.
    await git(story.dir, ["reflog", "expire", "--expire=now", "--all"]);
    const { code, out } = await verify("--repo", story.dir);
    expect(code).toBe(1);
    expect(out[0]).toMatch(
      new RegExp(
        `^bad: seq 3, anchored by commit ${story.prCommit} at \\S+, first appears in ledger commit ${orphan} made later \\(\\S+\\): the ledger history was rewritten after the anchor$`,
      ),
    );
  });
});

describe("remedy audit verify: usage", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeRepo();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it("says where the ledger is missing and exits 2", async () => {
    const { code, out, err } = await verify("--repo", dir);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err.join("\n")).toMatch(
      /ref remedy-audit or origin\/remedy-audit not found in .*git fetch origin remedy-audit:remedy-audit/,
    );
  });

  it("honours --ref", async () => {
    await commitLedger(dir, "");
    await git(dir, ["branch", "-m", "remedy-audit", "ledger-copy"]);
    expect(await verify("--repo", dir, "--ref", "ledger-copy")).toMatchObject({
      code: 0,
      out: [
        `ok: 0 entries, head sha256:${"0".repeat(64)}`,
        "  chain: 0 entries, every hash, seq and prev recomputed",
        "  commits named by entries: 0 found in this clone",
        "  ledger history: no commit holds an entry yet",
        "  earlier ledger tips: none remembered by this clone's reflogs",
        "  anchors: none in this clone",
      ],
    });
    expect(await verify(`--repo=${dir}`, "--ref=ledger-copy")).toMatchObject({ code: 0 });
  });

  it("reports a ref without ledger.jsonl as bad", async () => {
    await git(dir, ["branch", "remedy-audit"]);
    expect(await verify("--repo", dir)).toMatchObject({
      code: 1,
      out: ["bad: ledger.jsonl not found at remedy-audit"],
    });
  });

  it.each([
    [["--repo"], /--repo needs a value/],
    [["--ref", "--repo", "x"], /--ref needs a value/],
    [["--force"], /unexpected argument "--force"/],
    [["--ref", "-x"], /is not a ref name/],
  ])("rejects %j with exit 2", async (args, message) => {
    const { code, err } = await verify(...args, ...(args.includes("--repo") ? [] : ["--repo", dir]));
    expect(code).toBe(2);
    expect(err.join("\n")).toMatch(message);
  });

  it("rejects a directory that is not a clone", async () => {
    const plain = await tempDir("remedy-plain-");
    try {
      expect(await verify("--repo", plain)).toMatchObject({
        code: 2,
        err: [`remedy audit verify: ${plain} is not a git clone`],
      });
      expect(await verify("--repo", `${plain}/nope`)).toMatchObject({ code: 2 });
    } finally {
      await removeDir(plain);
    }
  });

  it("prints usage for --help", async () => {
    expect(await verify("--help")).toMatchObject({
      code: 0,
      out: [expect.stringContaining("usage: remedy audit verify")],
    });
  });
});

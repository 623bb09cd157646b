import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VerificationRecord } from "../../src/store/store.js";
import { waitFor } from "./fixtures/real-prometheus.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const BOT = join(ROOT, "test", "e2e", "fixtures", "durable-bot.ts");

function startBot(dir: string): {
  child: ChildProcess;
  output: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, ["--import", "tsx", BOT, dir], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const output = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (done) => child.once("exit", (code, signal) => done({ code, signal, stdout, stderr })),
  );
  return { child, output };
}

async function storedRecords(dir: string): Promise<VerificationRecord[]> {
  const folder = join(dir, "store", "verifications");
  const files = (await readdir(folder).catch(() => [])).filter((f) => f.endsWith(".json"));
  const records = await Promise.all(
    files.map(
      async (f) =>
        JSON.parse(await readFile(join(folder, f), "utf8").catch(() => "null")) as VerificationRecord | null,
    ),
  );
  return records.filter((r): r is VerificationRecord => r !== null);
}

describe("restart durability (real child process, SIGKILL)", () => {
  let dir = "";
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "remedy-durable-"));
  });

  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  it(
    "killed mid-verification and started again, it opens exactly one revert PR",
    { timeout: 60_000 },
    async () => {
      const first = startBot(dir);
      children.push(first.child);
      let seen = 0;
      await waitFor(
        "the first process to store an evaluation",
        20_000,
        async () => {
          seen = (await storedRecords(dir))[0]?.verdict.evaluations.length ?? 0;
          return seen >= 1;
        },
        10,
      );
      first.child.kill("SIGKILL");
      const killed = await first.output;
      expect(killed.signal).toBe("SIGKILL");
      // Killed before the verdict (failure_threshold 6): the verification was still in flight.
      const [left] = await storedRecords(dir);
      expect(left?.verdict.outcome).toBeNull();
      expect(left!.verdict.evaluations.length).toBeLessThan(6);
      const journal = await readFile(join(dir, "forge.jsonl"), "utf8");
      expect(journal).not.toContain('"openPullRequest"');

      const second = startBot(dir);
      children.push(second.child);
      const timer = setTimeout(() => second.child.kill("SIGKILL"), 25_000);
      const done = await second.output;
      clearTimeout(timer);
      expect(done.code, done.stderr).toBe(0);
      const reverts = JSON.parse(done.stdout.trim()) as Array<{ head: string; labels: string[] }>;
      expect(reverts, done.stderr).toHaveLength(1);
      expect(reverts[0]!.head).toMatch(/^revert\/[0-9a-f]{40}$/);
      expect(reverts[0]!.labels).toContain("remedy:revert");
      expect(await storedRecords(dir)).toEqual([]);
      const opened = (await readFile(join(dir, "forge.jsonl"), "utf8"))
        .split("\n")
        .filter((l) => l.includes('"m":"openPullRequest"'));
      expect(opened).toHaveLength(1);
    },
  );
});

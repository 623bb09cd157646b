import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureFiles } from "../core/fixture-repo.js";

// The real launcher, as a user runs it: the compiled CLI in dist/ (`npm run build`; `npm test` builds first).
const BIN = join(import.meta.dirname, "../../bin/remedy.js");
const BUILT = existsSync(join(import.meta.dirname, "../../dist/cli/main.js"));

/** A "billion laughs" document: ten aliases per level, eight levels, 10^8 nodes once expanded. */
function aliasBomb(): string {
  const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i < 8; i++)
    levels.push(
      `l${i}: &l${i} [${Array(10)
        .fill(i === 1 ? "*a" : `*l${i - 1}`)
        .join(", ")}]`,
    );
  return `${levels.join("\n")}\n`;
}

function remedy(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("node", [BIN, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr });
    });
  });
}

let tmp = "";
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "remedy-bomb-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function repoWith(name: string, overrides: Record<string, string>): Promise<string> {
  const dir = join(tmp, name);
  for (const [path, text] of Object.entries(fixtureFiles(overrides))) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

describe.skipIf(!BUILT)("remedy plan with a YAML alias bomb in a repository file", () => {
  it.each([
    ["a runbook", "runbooks/bomb.yaml"],
    ["a policy", "policies/zz-bomb.yaml"],
    ["the config", ".github/remedy.yml"],
  ])("%s: names the file, exits 2, no stack trace", async (_what, file) => {
    const dir = await repoWith(file.replace(/\W/g, "-"), { [file]: aliasBomb() });
    const signal = join(tmp, "issue.json");
    await writeFile(signal, JSON.stringify({ title: "checkout-api latency", body: "p99 is high" }));
    const { code, stdout, stderr } = await remedy(["plan", "--repo", dir, "--signal", signal]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("remedy plan: invalid input");
    expect(stderr).toContain(`${file}: cannot be read: Excessive alias count`);
    expect(stderr).not.toMatch(/ReferenceError|\n\s+at /);
  });
});

import { cp, mkdtemp, rm } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runCli } from "./run-cli.js";

/**
 * Every `npx remedy …` line in README.md's shell and console blocks, run as shown from the
 * repository (bin/remedy.js is what `npx remedy` starts). A command that cannot run offline here is
 * listed in NOT_HERE with where it is tested instead; a new README command that is neither run nor
 * listed fails this test, so the README cannot drift from the CLI unnoticed.
 */

const NOT_HERE: Record<string, string> = {
  "audit verify --repo . --ref remedy-audit":
    "needs a GitOps clone with Remedy's ledger branch; test/audit/audit-verify-command.test.ts runs it on a real git ledger",
  "audit stats --repo . --ref remedy-audit":
    "needs a GitOps clone with Remedy's ledger branch; test/cli/audit-stats-command.test.ts runs it on a git ledger of the same four PRs and checks the figures shown",
};

interface ReadmeCommand {
  args: string;
  /** The output the README shows under a `$ ` command in a console block, without elisions. */
  shown: string[];
}

function readmeCommands(): ReadmeCommand[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const commands: ReadmeCommand[] = [];
  for (const block of readme.matchAll(/^```(sh|console)\n([\s\S]*?)^```$/gm)) {
    const lines = (block[2] as string).replace(/\\\n\s*/g, " ").split("\n");
    lines.forEach((line, i) => {
      const command = /^(?:\$ )?npx remedy (.+?)(?:\s+#.*)?$/.exec(line);
      if (command === null) return;
      const shown: string[] = [];
      if (block[1] === "console")
        for (const next of lines.slice(i + 1)) {
          if (next.startsWith("$ ") || next === "" || next.startsWith("-----")) break;
          shown.push(next);
        }
      commands.push({ args: (command[1] as string).trim(), shown });
    });
  }
  return commands;
}

/** `remedy init --repo ../my-gitops` gets a sibling checkout holding this repository's manifests only. */
async function gitopsCheckoutBeside(): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), "remedy-readme-"));
  await cp(join(ROOT, "manifests"), join(parent, "my-gitops", "manifests"), { recursive: true });
  await cp(join(ROOT, "examples"), join(parent, "work", "examples"), { recursive: true });
  return parent;
}

const temp: string[] = [];
afterAll(async () => {
  for (const dir of temp) await rm(dir, { recursive: true, force: true });
});

describe("README commands", () => {
  const commands = readmeCommands();

  it("finds the README's remedy commands", () => {
    expect(commands.length).toBeGreaterThanOrEqual(5);
    expect(commands.map((c) => c.args.split(" ")[0])).toEqual(
      expect.arrayContaining(["plan", "simulate", "init", "eval", "audit"]),
    );
  });

  for (const command of commands) {
    const skip = NOT_HERE[command.args];
    if (skip !== undefined) {
      it.skip(`npx remedy ${command.args} — ${skip}`, () => {});
      continue;
    }
    it(`npx remedy ${command.args}`, { timeout: 120_000 }, async () => {
      const args = command.args.split(/\s+/);
      let cwd = ROOT;
      if (args.some((a) => a.startsWith("../"))) {
        const parent = await gitopsCheckoutBeside();
        temp.push(parent);
        cwd = join(parent, "work");
      }
      const run = await runCli(args, { cwd, timeoutMs: 110_000 });
      expect(run.code, `${run.out}\n${run.err}`).toBe(0);
      expect(run.out.length).toBeGreaterThan(0);
      for (const line of command.shown.filter((l) => !l.includes("…")))
        expect(run.out, `README shows "${line}"`).toContain(line);
      if (command.args.startsWith("init"))
        expect(existsSync(join(cwd, "..", "my-gitops", ".github", "remedy.yml"))).toBe(true);
    });
  }
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "./run-cli.js";

const version = (JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { version: string }).version;

describe("remedy --help and --version (bin/remedy.js as a process)", () => {
  it("lists every command and exits 0", async () => {
    const run = await runCli(["--help"]);
    expect(run.code).toBe(0);
    for (const command of [
      "plan",
      "eval",
      "simulate",
      "init",
      "audit verify",
      "audit stats",
      "schemas",
      "serve",
      "--version",
    ])
      expect(run.out).toContain(`remedy ${command}`);
  });

  it("prints the package version", async () => {
    const run = await runCli(["--version"]);
    expect(run).toMatchObject({ code: 0, out: `remedy ${version}\n` });
  });

  it.each([
    [["plan", "--help"], "usage: remedy plan --repo DIR --signal FILE"],
    [["plan", "--repo", ".", "--help"], "--prometheus URL"],
    [["eval", "--help"], "usage: remedy eval DIR"],
    [["eval", "-h"], "usage: remedy eval DIR"],
    [["simulate", "--help"], "usage: remedy simulate FILE"],
    [["schemas", "--help"], "usage: remedy schemas"],
    [["audit", "--help"], "remedy audit verify"],
    [["audit", "verify", "--help"], "usage: remedy audit verify"],
    [["serve", "--help"], "usage: remedy serve"],
    [["init", "--help"], "usage: remedy init --repo DIR"],
    [["audit", "stats", "--help"], "usage: remedy audit stats"],
  ])("remedy %j answers with its usage and exit 0", async (args, usage) => {
    // A short timeout: `serve --help` must print, not start the server.
    const run = await runCli(args, { timeoutMs: 15_000, env: { APP_ID: "", PRIVATE_KEY: "" } });
    expect(run.err).toBe("");
    expect(run.out).toContain(usage);
    expect(run.code).toBe(0);
  });

  it.each([
    ["plan"],
    ["eval"],
    ["simulate"],
    ["init"],
    ["schemas"],
    ["serve"],
    ["audit", "verify"],
    ["audit", "stats"],
  ])("remedy %s --version prints the version and exit 0, running nothing", async (...command) => {
    const run = await runCli([...command, "--version"], {
      timeoutMs: 15_000,
      env: { APP_ID: "", PRIVATE_KEY: "" },
    });
    expect(run).toMatchObject({ code: 0, out: `remedy ${version}\n`, err: "" });
  });

  it("says why a usage error is one, exit 2", async () => {
    const unknown = await runCli(["plan", "--bogus"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown option --bogus");
    const audit = await runCli(["audit"]);
    expect(audit.code).toBe(2);
    expect(audit.err).toContain("remedy audit verify");
    const command = await runCli(["frobnicate"]);
    expect(command.code).toBe(2);
    expect(command.err).toContain('unknown command "frobnicate"');
  });
});

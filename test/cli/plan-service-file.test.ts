import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const run = promisify(execFile);

/** `remedy plan` as a process, from the sources (tsx), so the test needs no build. */
async function plan(repo: string, signal: string): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        `import("${join(ROOT, "src/cli/main.ts")}").then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })`,
        "plan",
        "--repo",
        repo,
        "--signal",
        signal,
        "--now",
        "2026-03-02T10:00:00Z",
      ],
      { cwd: ROOT },
    );
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout, err: failed.stderr };
  }
}

let tmp = "";
let signal = "";
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "remedy-service-file-"));
  signal = join(tmp, "issue.yaml");
  await writeFile(
    signal,
    "title: cart prod is saturated, scale up\nbody: CPU at 95% on every cart pod since 09:40.\nauthor_permission: write\n",
  );
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The example repository with cart's prod target pointed at `file`, which holds a replicaCount. */
async function repoWithCartAt(
  name: string,
  file: string,
  extra: Record<string, string> = {},
): Promise<string> {
  const repo = join(tmp, name);
  for (const dir of [".github", "manifests", "policies", "runbooks"])
    await cp(join(ROOT, dir), join(repo, dir), { recursive: true });
  const config = await readFile(join(repo, ".github/remedy.yml"), "utf8");
  await writeFile(
    join(repo, ".github/remedy.yml"),
    config.replace("file: manifests/cart/values-prod.yaml", `file: ${JSON.stringify(file)}`),
  );
  for (const [path, text] of Object.entries(extra)) {
    await mkdir(dirname(join(repo, path)), { recursive: true });
    await writeFile(join(repo, path), text);
  }
  return repo;
}

describe("remedy plan: a service's file must be a manifest, never Remedy's own rules", () => {
  it.each([
    [".github/workflows/deploy.yml", { ".github/workflows/deploy.yml": "replicaCount: 4\n" }],
    ["policies/10-prod.yaml", {}],
    ["./runbooks/scale-on-saturation.yaml", {}],
  ])("refuses file: %s with exit 2, naming the service and environment", async (file, extra) => {
    const repo = await repoWithCartAt(file.replace(/\W/g, "-"), file, extra);
    const result = await plan(repo, signal);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`.github/remedy.yml:`);
    expect(result.err).toContain(
      `services.cart.environments.prod.file must be a manifest outside .github/, runbooks/ and policies/ (got "${file}")`,
    );
    expect(result.out).not.toContain("----- diff -----");
  });

  it.each(["../outside/values.yaml", "/etc/values.yaml", "manifests/cart/values-prod.json"])(
    "refuses file: %s (outside the repository or not YAML)",
    async (file) => {
      const repo = await repoWithCartAt(file.replace(/\W/g, "-"), file);
      const result = await plan(repo, signal);
      expect(result.code).toBe(2);
      expect(result.err).toMatch(/services\.cart\.environments\.prod\.file must be/);
    },
  );

  it("still plans a service whose file is an ordinary manifest", async () => {
    const repo = await repoWithCartAt("ok", "manifests/cart/values-prod.yaml");
    const result = await plan(repo, signal);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Decision: /m);
  });
});

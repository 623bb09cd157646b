import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";

const ACME = "/work/shared/scenarios/repos/acme";

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** A hash of every path and byte under dir: "writes nothing" means it does not change. */
async function treeHash(dir: string): Promise<string> {
  const hash = createHash("sha256");
  const walk = async (current: string): Promise<void> => {
    for (const entry of (await readdir(current, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = join(current, entry.name);
      hash.update(`${full}\0`);
      if (entry.isDirectory()) await walk(full);
      else hash.update(await readFile(full));
    }
  };
  await walk(dir);
  return hash.digest("hex");
}

/** The changed lines of a unified diff (without the ---/+++ headers). */
function changedLines(diff: string): string[] {
  return diff
    .split("\n")
    .filter((l) => /^[-+]/.test(l) && !/^(---|\+\+\+) /.test(l) && !l.startsWith("-----"));
}

let tmp = "";
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "remedy-cli-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function writeJson(name: string, data: unknown): Promise<string> {
  const path = join(tmp, name);
  await writeFile(path, typeof data === "string" ? data : JSON.stringify(data));
  return path;
}

describe.skipIf(!existsSync(ACME))("remedy plan on the shared acme repository", () => {
  it("plans an Alertmanager payload: decision, packet, one-line diff, nothing written", async () => {
    const signal = await writeJson("alert.json", {
      version: "4",
      groupKey: '{}:{alertname="HighLatency"}',
      status: "firing",
      commonLabels: { alertname: "HighLatency", service: "search-api", env: "prod" },
      commonAnnotations: { summary: "p99 latency above 500ms" },
      alerts: [
        {
          status: "firing",
          labels: { alertname: "HighLatency", service: "search-api" },
          startsAt: "2026-11-21T09:50:00Z",
          fingerprint: "abc",
        },
      ],
    });
    const before = await treeHash(ACME);
    const result = await run(["plan", "--repo", ACME, "--signal", signal, "--now", "2026-11-21T10:00:00Z"]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Decision: propose$/m);
    expect(result.out).toContain("## Summary");
    expect(result.out).toContain("<!-- remedy:plan ");
    const diff = result.out.slice(result.out.indexOf("----- diff -----"));
    expect(changedLines(diff)).toEqual([
      "-replicaCount: 6   # sized for the 2026 catalogue",
      "+replicaCount: 8   # sized for the 2026 catalogue",
    ]);
    expect(await treeHash(ACME)).toBe(before);
  });

  it("plans an issue file (YAML): a named value from a writer is used", async () => {
    const signal = await writeJson(
      "issue.yaml",
      "title: checkout-api latency in prod\nbody: p99 latency is bad, scale checkout-api to 6 replicas\n",
    );
    const before = await treeHash(ACME);
    const result = await run(["plan", "--repo", ACME, "--signal", signal, "--now", "2026-11-21T10:00:00Z"]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Decision: propose$/m);
    expect(result.out).toMatch(/^Branch: remedy\/checkout-api-prod-scale-[0-9a-f]{8}$/m);
    expect(changedLines(result.out.slice(result.out.indexOf("----- diff -----")))).toEqual([
      "-    count: 4",
      "+    count: 6",
    ]);
    expect(await treeHash(ACME)).toBe(before);
  });

  it("prints a non-propose decision with exit 0", async () => {
    const signal = await writeJson("escalate.json", {
      title: "checkout-api: risk of data loss",
      body: "the disk is corrupt",
    });
    const result = await run(["plan", "--repo", ACME, "--signal", signal]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Decision: escalate$/m);
    expect(result.out).not.toContain("----- diff -----");
  });
});

describe("remedy plan on bad input", () => {
  const repo = () => (existsSync(ACME) ? ACME : tmp);

  it("a malformed alert payload exits 2 naming the file and field", async () => {
    const signal = await writeJson("bad-alert.json", {
      version: "3",
      groupKey: "g",
      status: "firing",
      alerts: [{ status: "firing", labels: {}, startsAt: "x" }],
    });
    const result = await run(["plan", "--repo", repo(), "--signal", signal]);
    expect(result.code).toBe(2);
    expect(result.err).toContain("remedy plan: invalid input");
    expect(result.err).toMatch(
      /bad-alert\.json:1: version must be one of "4" \(got "3"\)|bad-alert\.json:1: version /,
    );
    expect(result.err).toContain("alerts.0.fingerprint");
    expect(result.out).toBe("");
  });

  it("unreadable JSON/YAML, a missing file and a missing --signal exit 2 with a reason", async () => {
    const broken = await writeJson("broken.json", "{ title: [");
    expect((await run(["plan", "--repo", repo(), "--signal", broken])).err).toMatch(
      /broken\.json:\d+: is not valid YAML/,
    );
    const missing = await run(["plan", "--repo", repo(), "--signal", join(tmp, "nope.json")]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.json: cannot be read/);
    const usage = await run(["plan", "--repo", repo()]);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain("--signal FILE is required");
    const badNow = await run(["plan", "--repo", repo(), "--signal", broken, "--now", "yesterday"]);
    expect(badNow.code).toBe(2);
    expect(badNow.err).toContain("--now must be an ISO-8601 time");
  });

  it("an issue file with unknown keys exits 2", async () => {
    const signal = await writeJson("issue-bad.json", { title: "x", bdy: "typo" });
    const result = await run(["plan", "--repo", repo(), "--signal", signal]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('has unknown key "bdy"');
  });
});

describe("remedy --help and unknown commands", () => {
  it("--help lists plan, eval, simulate and audit verify", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    for (const command of [
      "remedy plan --repo DIR --signal FILE",
      "remedy eval DIR",
      "remedy simulate FILE",
      "remedy audit verify",
    ])
      expect(result.out).toContain(command);
  });

  it("an unknown command exits 2 and names it", async () => {
    const result = await run(["deploy-everything"]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('unknown command "deploy-everything"');
  });
});

describe("remedy plan on a repository it has never seen", () => {
  const files: Record<string, string> = {
    ".github/remedy.yml": `services:
  ledger-svc:
    owners: ["@fin/ledger"]
    environments:
      live:
        kind: helm
        file: deploy/ledger/values-live.yaml
        replicas_key: app.deployment.replicas
        tag_key: app.image.tag
`,
    "runbooks/capacity.yaml": `id: capacity
title: More capacity
match: { keywords: ["queue backlog", "scale up"] }
action: { kind: scale, replicas: "x2" }
`,
    "runbooks/ship.yaml": `id: ship
title: Ship a named build
match: { keywords: ["ship build"] }
action: { kind: set-image }
`,
    "policies/live.yaml": `environments:
  live:
    actions:
      scale: { allow: true, max_replicas: 12, max_step: 6 }
      set-image: { allow: true, registries: ["registry.fin.example/"] }
`,
    "deploy/ledger/values-live.yaml": `app:
  deployment:
    replicas: 3 # baseline
  image:
    repository: registry.fin.example/ledger
    tag: "4.2.0"
replicaCount: 99 # unrelated top-level key that must not be edited
`,
  };
  let dir = "";
  beforeAll(async () => {
    dir = join(tmp, "fin-gitops");
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
  });

  it("scales the nested replicas key by the runbook rule", async () => {
    const signal = await writeJson("fin-scale.json", {
      title: "ledger-svc queue backlog",
      body: "please scale up",
    });
    const before = await treeHash(dir);
    const result = await run(["plan", "--repo", dir, "--signal", signal, "--now", "2026-11-21T10:00:00Z"]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Decision: propose$/m);
    expect(result.out).toMatch(/^Branch: remedy\/ledger-svc-live-scale-[0-9a-f]{8}$/m);
    expect(result.out).toContain("| deploy/ledger/values-live.yaml | `app.deployment.replicas` | 3 | 6 |");
    expect(changedLines(result.out.slice(result.out.indexOf("----- diff -----")))).toEqual([
      "-    replicas: 3 # baseline",
      "+    replicas: 6 # baseline",
    ]);
    expect(await treeHash(dir)).toBe(before);
  });

  it("sets the nested image tag and checks the registry from the sibling repository key", async () => {
    const ship = await writeJson("fin-ship.json", { title: "ledger-svc: ship build 4.3.0" });
    const result = await run(["plan", "--repo", dir, "--signal", ship, "--now", "2026-11-21T10:00:00Z"]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Decision: propose$/m);
    expect(changedLines(result.out.slice(result.out.indexOf("----- diff -----")))).toEqual([
      '-    tag: "4.2.0"',
      '+    tag: "4.3.0"',
    ]);
    expect(result.out).toContain("registry.fin.example/ledger is in registry.fin.example/");
  });
});

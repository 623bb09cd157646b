/** `_extends` in .github/remedy.yml: shared configuration from another repository of the same owner. */
import { writeFile, mkdtemp, rm, cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AuditLedger } from "../../src/audit/index.js";
import { silentLogger, type FlowDeps } from "../../src/flows/deps.js";
import { onIncidentIssue } from "../../src/flows/on-issue.js";
import { InMemoryForge } from "../../src/forge/memory/in-memory-forge.js";
import { MemoryStore } from "../../src/store/store.js";
import { ScriptedHealth } from "../../src/verification/scripted-health.js";
import { ROOT, runCli } from "../cli/run-cli.js";
import { CHECKOUT_PROD, fixtureFiles, REMEDY_YML } from "../core/fixture-repo.js";

const BOT = "remedy[bot]";
const NOW = "2026-11-21T10:00:00Z";
const TITLE = "checkout-api prod: p99 latency high, scale up";

function setup(ownConfig: string, otherRepos: Record<string, Record<string, string>>) {
  const forge = new InMemoryForge({
    repo: "acme/gitops",
    now: () => NOW,
    botLogin: BOT,
    permissions: { oncall: "write" },
    otherRepos,
  });
  forge.seedCommit(
    "main",
    {
      ...fixtureFiles(),
      "manifests/checkout-api/overlays/prod/kustomization.yaml": CHECKOUT_PROD,
      ".github/remedy.yml": ownConfig,
    },
    "initial",
    "2026-11-20T10:00:00Z",
  );
  const health = new ScriptedHealth({});
  const deps: FlowDeps = {
    forge,
    audit: new AuditLedger(forge.ledger, { sleep: async () => undefined }),
    store: new MemoryStore(),
    now: () => NOW,
    log: silentLogger,
    botLogin: BOT,
    health: () => ({ health, rollout: health }),
  };
  return { forge, deps };
}

async function incident(h: ReturnType<typeof setup>) {
  const issue = h.forge.openIssueAs("oncall", { title: TITLE, body: "", labels: ["incident"] });
  await onIncidentIssue(h.deps, issue);
  return h.forge.comments.filter((c) => c.on === issue.number).map((c) => c.body);
}

const SHARED = REMEDY_YML.replace("mode: propose", "mode: dry-run");

describe("_extends", () => {
  it("takes the services from the organisation's .github repository; the file's own keys win", async () => {
    const h = setup("_extends: .github\nmode: propose\n", {
      "acme/.github": { ".github/remedy.yml": SHARED },
    });
    await incident(h);
    // Services came from the shared file; `mode: propose` here overrode its dry-run.
    expect(h.forge.pullRequests).toHaveLength(1);
    expect(h.forge.pullRequests[0]?.head).toMatch(/^remedy\/checkout-api-prod-scale-/);
  });

  it("follows owner/repo:path and chains up to the depth limit", async () => {
    const h = setup("_extends: acme/platform:config/remedy-base.yml\n", {
      "acme/platform": { "config/remedy-base.yml": "_extends: defaults\nmode: propose\n" },
      "acme/defaults": { ".github/remedy.yml": "_extends: .github\n" },
      "acme/.github": { ".github/remedy.yml": SHARED },
    });
    await incident(h);
    expect(h.forge.pullRequests).toHaveLength(1);
  });

  it("refuses a chain deeper than 3 hops, naming it, and opens no PR", async () => {
    const h = setup("_extends: a\n", {
      "acme/a": { ".github/remedy.yml": "_extends: b\n" },
      "acme/b": { ".github/remedy.yml": "_extends: c\n" },
      "acme/c": { ".github/remedy.yml": "_extends: d\n" },
      "acme/d": { ".github/remedy.yml": SHARED.replace("mode: dry-run", "mode: propose") },
    });
    const comments = await incident(h);
    expect(h.forge.pullRequests).toHaveLength(0);
    expect(comments.join("\n")).toContain("goes deeper than 3 levels");
    expect(comments.join("\n")).toContain("acme/d:.github/remedy.yml");
  });

  it("refuses a cycle, naming it", async () => {
    const h = setup("_extends: .github\n", {
      "acme/.github": { ".github/remedy.yml": "_extends: gitops\n" },
    });
    const comments = await incident(h);
    expect(h.forge.pullRequests).toHaveLength(0);
    expect(comments.join("\n")).toContain("makes a cycle");
  });

  it("refuses a repository of another owner: a config cannot hand its services to someone else", async () => {
    const h = setup("_extends: mallory/configs\nmode: propose\n", {
      "mallory/configs": { ".github/remedy.yml": SHARED.replace("mode: dry-run", "mode: propose") },
    });
    const comments = await incident(h);
    expect(h.forge.pullRequests).toHaveLength(0);
    expect(comments.join("\n")).toContain("names mallory/configs, outside acme");
  });

  it("says so when the extended file is missing or unreadable, and refuses paths outside it", async () => {
    const missing = setup("_extends: .github\n", {});
    expect((await incident(missing)).join("\n")).toContain(
      "acme/.github:.github/remedy.yml, which does not exist or cannot be read (install the App on acme/.github too)",
    );
    const escape = setup("_extends: .github:../../etc/passwd\n", {});
    expect((await incident(escape)).join("\n")).toContain(
      "must be a .yml or .yaml file inside that repository",
    );
  });

  it("a __proto__ key in a shared file does not reach the merged configuration's prototype", async () => {
    const h = setup("_extends: .github\nmode: propose\n", {
      "acme/.github": { ".github/remedy.yml": `${SHARED}__proto__: { polluted: true }\n` },
    });
    await incident(h);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
    // The key is dropped in the merge, so the rest of the shared configuration still works.
    expect(h.forge.pullRequests).toHaveLength(1);
  });

  it("remedy plan on a local checkout cannot follow _extends and says what to do", async () => {
    const dir = await mkdtemp(join(tmpdir(), "remedy-extends-"));
    try {
      for (const part of ["manifests", "policies", "runbooks"])
        await cp(join(ROOT, part), join(dir, part), { recursive: true });
      await cp(join(ROOT, ".github"), join(dir, ".github"), { recursive: true });
      await writeFile(join(dir, ".github/remedy.yml"), "_extends: .github\n");
      await writeFile(join(dir, "issue.yaml"), "title: cart is slow in prod\n");
      const run = await runCli(["plan", "--repo", dir, "--signal", join(dir, "issue.yaml")]);
      expect(run.code).toBe(2);
      expect(run.err).toContain("_extends");
      expect(run.err).toContain("remedy plan reads a local checkout alone");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

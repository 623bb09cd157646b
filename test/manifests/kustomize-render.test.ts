import { execFileSync, spawnSync } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ROOT, runCli } from "../cli/run-cli.js";

/**
 * Remedy's Kustomize edits rendered by the real Kustomize (`kubectl kustomize`, Kustomize v5): each
 * example overlay is rendered before and after the diff `remedy plan` prints, and exactly the planned
 * field of the workload's Deployment must differ. A wrong `replicas:` name or `images[].name` would
 * render unchanged (Kustomize ignores an `images` entry that matches no container), which a text diff cannot show.
 */

const KUBECTL = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" });
const NO_KUBECTL = KUBECTL.error !== undefined || KUBECTL.status !== 0;
const SKIP_REASON = "kubectl is not on PATH (install kubectl to render overlays with kubectl kustomize)";

interface Case {
  name: string;
  /** Repository folder, relative to the project root. */
  repo: string;
  overlay: string;
  signal: string;
  deployment: string;
  /** The one rendered path that must change, and its values before and after. */
  path: string;
  before: unknown;
  after: unknown;
}

const CASES: Case[] = [
  {
    name: "storefront prod: scale 6 → 9",
    repo: ".",
    overlay: "manifests/storefront/overlays/prod",
    signal: "title: Scale storefront to 9 in prod\nbody: checkout is slow, scale storefront to 9 replicas\n",
    deployment: "storefront",
    path: "spec.replicas",
    before: 6,
    after: 9,
  },
  {
    name: "storefront staging: image 2.5.0-rc.2 → 2.8.1",
    repo: ".",
    overlay: "manifests/storefront/overlays/staging",
    signal: "title: Deploy storefront 2.8.1 to staging\nbody: roll forward staging to image tag 2.8.1\n",
    deployment: "storefront",
    path: "spec.template.spec.containers.0.image",
    before: "ghcr.io/shop/storefront:2.5.0-rc.2",
    after: "ghcr.io/shop/storefront:2.8.1",
  },
  {
    name: "inventory prod: image 1.9.3 → 1.9.4 (replicas stay with the HPA)",
    repo: ".",
    overlay: "manifests/inventory/overlays/prod",
    signal:
      "title: Deploy inventory 1.9.4 to prod\nbody: please deploy image tag 1.9.4 of inventory to prod\n",
    deployment: "inventory",
    path: "spec.template.spec.containers.0.image",
    before: "ghcr.io/shop/inventory:1.9.3",
    after: "ghcr.io/shop/inventory:1.9.4",
  },
  {
    name: "orbit dispatch prod: a replicas entry appended over the base's 3 → 5",
    repo: "test/scenarios/repos/orbit",
    overlay: "deploy/apps/dispatch/envs/prod",
    signal:
      "title: dispatch latency climbing in prod\nbody: Route planning requests are slow since 09:30; please scale up.\n",
    deployment: "dispatch",
    path: "spec.replicas",
    before: 3,
    after: 5,
  },
];

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("kubectl kustomize renders Remedy's edit as planned", () => {
  for (const c of CASES) {
    it(c.name, async (ctx) => {
      if (NO_KUBECTL) ctx.skip(SKIP_REASON);
      const dir = await mkdtemp(join(tmpdir(), "remedy-kustomize-"));
      dirs.push(dir);
      await cp(join(ROOT, c.repo), dir, {
        recursive: true,
        filter: (src) => !/[/\\](node_modules|dist|\.git)$/.test(src),
      });
      const signal = join(dir, "signal.yaml");
      await writeFile(signal, c.signal);

      const before = render(join(dir, c.overlay));
      const plan = await runCli(["plan", "--repo", dir, "--signal", signal, "--now", "2026-12-02T10:00:00Z"]);
      expect(plan.code, plan.err).toBe(0);
      expect(plan.out).toMatch(/^Decision: propose$/m);
      const diff = plan.out
        .slice(plan.out.indexOf("----- diff -----") + "----- diff -----".length)
        .trimStart();
      expect(diff).toMatch(/^--- a\//);
      await writeFile(join(dir, "remedy.diff"), diff);
      execFileSync("git", ["apply", "--unsafe-paths", "remedy.diff"], { cwd: dir });
      const after = render(join(dir, c.overlay));

      const changes = differences(before, after);
      expect(changes).toEqual([
        { path: `Deployment/${c.deployment}:${c.path}`, before: c.before, after: c.after },
      ]);
    });
  }

  it("a pin whose images entry names no container does not land, so a mis-aimed edit fails the check", async (ctx) => {
    if (NO_KUBECTL) ctx.skip(SKIP_REASON);
    const dir = await mkdtemp(join(tmpdir(), "remedy-kustomize-"));
    dirs.push(dir);
    await cp(join(ROOT, "manifests"), join(dir, "manifests"), { recursive: true });
    const overlay = join(dir, "manifests/storefront/overlays/prod");
    const before = render(overlay);
    const file = join(overlay, "kustomization.yaml");
    const text = await readFile(file, "utf8");
    const misaimed = text
      .replace("- name: ghcr.io/shop/storefront", "- name: ghcr.io/shop/store-front")
      .replace('newTag: "2.4.1"', 'newTag: "2.9.9"');
    expect(misaimed).toContain('newTag: "2.9.9"');
    expect(misaimed).toContain("ghcr.io/shop/store-front");
    await writeFile(file, misaimed);
    // Kustomize silently drops the pin: the container falls back to the base's tag, never 2.9.9.
    const changes = differences(before, render(overlay));
    expect(changes).toEqual([
      {
        path: "Deployment/storefront:spec.template.spec.containers.0.image",
        before: "ghcr.io/shop/storefront:2.4.1",
        after: "ghcr.io/shop/storefront:2.3.0",
      },
    ]);
  });
});

/** `kubectl kustomize DIR` parsed into documents keyed by `Kind/name`. */
function render(overlay: string): Map<string, unknown> {
  const out = execFileSync("kubectl", ["kustomize", overlay], { encoding: "utf8" });
  const docs = new Map<string, unknown>();
  for (const doc of parseAllDocuments(out)) {
    if (doc.errors.length > 0) throw new Error(`kubectl kustomize ${overlay}: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
    if (value === null) continue;
    docs.set(`${value.kind}/${value.metadata?.name}`, value);
  }
  return docs;
}

interface Difference {
  path: string;
  before: unknown;
  after: unknown;
}

/** Every leaf that differs between two renderings, as `Kind/name:dotted.path`. */
function differences(a: Map<string, unknown>, b: Map<string, unknown>): Difference[] {
  const out: Difference[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) walk(`${key}:`, a.get(key), b.get(key), out);
  return out;
}

function walk(path: string, a: unknown, b: unknown, out: Difference[]): void {
  if (isContainer(a) && isContainer(b) && Array.isArray(a) === Array.isArray(b)) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    for (const key of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
      walk(path.endsWith(":") ? `${path}${key}` : `${path}.${key}`, ra[key], rb[key], out);
    }
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, before: a, after: b });
}

function isContainer(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

import { cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT, runCli } from "./run-cli.js";

/** `remedy init` as a process on temporary GitOps checkouts. */

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "remedy-init-"));
  dirs.push(dir);
  return dir;
}

/** This project's example manifests without any Remedy file: a GitOps checkout before onboarding. */
async function exampleCheckout(): Promise<string> {
  const dir = await tempDir();
  await cp(join(ROOT, "manifests"), join(dir, "manifests"), { recursive: true });
  return dir;
}

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

async function plan(dir: string, title: string, body = ""): Promise<string> {
  const signal = join(dir, "..", `${dir.split("/").at(-1)}-signal.yaml`);
  dirs.push(signal);
  await writeFile(signal, JSON.stringify({ title, body, author_permission: "write" }));
  const run = await runCli(["plan", "--repo", dir, "--signal", signal, "--now", "2026-12-02T10:00:00Z"]);
  expect(run.code, run.err).toBe(0);
  return run.out;
}

async function schemaValidator(name: string) {
  const schema = JSON.parse(await readFile(join(ROOT, "schemas", `${name}.schema.json`), "utf8")) as object;
  return new Ajv2020({ strict: false, allErrors: true }).compile(schema);
}

async function treeOf(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string, prefix: string) => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(join(current, entry.name), `${prefix}${entry.name}/`);
      else out.push(`${prefix}${entry.name}`);
    }
  };
  await walk(dir, "");
  return out.sort();
}

describe("remedy init --repo DIR", () => {
  it("configures every Helm and Kustomize workload it finds, and the result plans an obvious signal", async () => {
    const dir = await exampleCheckout();
    const run = await runCli(["init", "--repo", dir]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain("Found 6 workloads");
    expect(run.out).toContain(
      "storefront prod: kustomize manifests/storefront/overlays/prod/kustomization.yaml (replicas 6, image ghcr.io/shop/storefront:2.4.1)",
    );
    expect(run.out).toContain("cart staging: helm manifests/cart/values-staging.yaml (replicas 1");
    expect(run.out).toMatch(/notifier prod: [^\n]*\n\s+review: autoscaling\.enabled is true/);
    expect(run.out).toMatch(
      /Wrote:\n {2}\.github\/remedy\.yml\n {2}runbooks\/scale-on-saturation\.yaml\n {2}policies\/00-remedy-starter\.yaml\n/,
    );
    expect(run.out).toContain("Review before relying on it:");
    expect(run.out).toContain("Next steps:");

    // The files validate against the project's own JSON Schemas …
    for (const [file, schema] of [
      [".github/remedy.yml", "remedy-config"],
      ["runbooks/scale-on-saturation.yaml", "runbook"],
      ["policies/00-remedy-starter.yaml", "policy"],
    ] as const) {
      const validate = await schemaValidator(schema);
      const data = parse(await readFile(join(dir, file), "utf8")) as unknown;
      expect(validate(data), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    const config = parse(await readFile(join(dir, ".github/remedy.yml"), "utf8")) as {
      mode: string;
      services: Record<string, { environments: Record<string, { kind: string; file: string }> }>;
    };
    expect(config.mode).toBe("dry-run");
    expect(Object.keys(config.services).sort()).toEqual(["cart", "inventory", "notifier", "storefront"]);
    expect(config.services.storefront?.environments.staging).toMatchObject({
      kind: "kustomize",
      file: "manifests/storefront/overlays/staging/kustomization.yaml",
    });

    // … and `remedy plan` gives a sensible decision on them: one replica more, inside the starter bounds.
    const scale = await plan(dir, "storefront is slow in prod", "p99 latency is up since 09:00");
    expect(scale).toMatch(/^Decision: propose$/m);
    expect(scale).toContain("scale storefront in prod from 6 to 7 replicas (runbook scale-on-saturation)");
    const hpa = await plan(dir, "notifier latency high in prod, scale up");
    expect(hpa).toMatch(/^Decision: escalate$/m);
    const tooMany = await plan(dir, "cart is slow in prod", "scale cart to 40");
    expect(tooMany).toMatch(/^Decision: deny$/m);
  });

  it("reads nested sub-chart values and environments from values-staging.yaml and clusters/production/", async () => {
    const dir = await tempDir();
    await write(dir, {
      "charts/shop/values-staging.yaml":
        '# umbrella chart\ncart:\n  replicaCount: 2\n  image:\n    repository: ghcr.io/acme/cart\n    tag: "1.4.0"\nsearch:\n  replicaCount: 3\n  image: { repository: ghcr.io/acme/search, tag: "2.0.1" }\nglobal:\n  domain: shop.example\n',
      "clusters/production/web/kustomization.yaml":
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deployment.yaml]\nreplicas:\n  - name: web\n    count: 4\n",
      "clusters/production/web/deployment.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  replicas: 1\n",
      "docs/readme.yaml": "title: not a workload\nitems: [1, 2]\n",
    });
    const run = await runCli(["init", "--repo", dir]);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain("Found 3 workloads");
    const config = parse(await readFile(join(dir, ".github/remedy.yml"), "utf8")) as {
      services: Record<string, { environments: Record<string, Record<string, string>> }>;
    };
    expect(config.services.cart?.environments.staging).toEqual({
      kind: "helm",
      file: "charts/shop/values-staging.yaml",
      image: "ghcr.io/acme/cart",
      replicas_key: "cart.replicaCount",
      tag_key: "cart.image.tag",
    });
    expect(config.services.search?.environments.staging?.replicas_key).toBe("search.replicaCount");
    expect(config.services.web?.environments.prod).toMatchObject({ kind: "kustomize", workload: "web" });
    expect(await plan(dir, "search is slow in staging")).toContain(
      "scale search in staging from 3 to 4 replicas",
    );
    expect(await plan(dir, "web latency high in production")).toContain(
      "scale web in prod from 4 to 5 replicas",
    );
  });

  it("never overwrites: a configured repository is refused, an existing runbook is left byte for byte", async () => {
    const dir = await exampleCheckout();
    const theirs = "id: theirs\ntitle: their own runbook\naction: { kind: escalate }\n";
    await write(dir, { "runbooks/scale-on-saturation.yaml": theirs });
    const first = await runCli(["init", "--repo", dir]);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain("runbooks/scale-on-saturation.yaml already exists: left as it is");
    expect(await readFile(join(dir, "runbooks/scale-on-saturation.yaml"), "utf8")).toBe(theirs);

    const config = await readFile(join(dir, ".github/remedy.yml"), "utf8");
    const before = await treeOf(dir);
    const second = await runCli(["init", "--repo", dir]);
    expect(second.code).toBe(2);
    expect(second.err).toContain(".github/remedy.yml already exists");
    expect(second.err).toContain("never overwrites");
    expect(await readFile(join(dir, ".github/remedy.yml"), "utf8")).toBe(config);
    expect(await treeOf(dir)).toEqual(before);
  });

  it("refuses a .github that is a symbolic link, so nothing is written outside the checkout", async () => {
    const dir = await exampleCheckout();
    const outside = await tempDir();
    await symlink(outside, join(dir, ".github"));
    const run = await runCli(["init", "--repo", dir]);
    expect(run.code).toBe(2);
    expect(run.err).toContain(".github in");
    expect(run.err).toContain("is a symbolic link");
    expect(await readdir(outside)).toEqual([]);
    await expect(lstat(join(dir, "runbooks"))).rejects.toThrow();
  });

  it("keeps hostile names in the checkout from writing configuration: a workload name is data", async () => {
    const dir = await tempDir();
    await write(dir, {
      "overlays/prod/kustomization.yaml":
        'replicas:\n  - name: "api\\nmode: propose\\nservices: {}"\n    count: 3\n  - name: "#x"\n    count: 2\n',
    });
    const run = await runCli(["init", "--repo", dir]);
    expect(run.code, run.err).toBe(0);
    const config = parse(await readFile(join(dir, ".github/remedy.yml"), "utf8")) as {
      mode: string;
      services: Record<string, { environments: Record<string, { workload: string }> }>;
    };
    expect(config.mode).toBe("dry-run");
    expect(config.services["api-mode-propose-services"]?.environments.prod?.workload).toBe(
      "api\nmode: propose\nservices: {}",
    );
  });

  it("says what is wrong with a missing directory or a bad option, and answers --help", async () => {
    const missing = await runCli(["init", "--repo", join(tmpdir(), "remedy-no-such-dir")]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("the directory does not exist");
    const bad = await runCli(["init", "--force"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("unknown option --force");
    const help = await runCli(["init", "--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("usage: remedy init --repo DIR");
    expect((await runCli(["--help"])).out).toContain("remedy init --repo DIR");
  });
});

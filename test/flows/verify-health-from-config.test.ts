import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RepoConfig } from "../../src/config/repo-config.js";
import type { Plan } from "../../src/proposal/plan.js";
import { ArgoCdRolloutSource } from "../../src/adapters/argocd/argo-cd-rollout-source.js";
import { evidenceFromConfig, healthFromConfig } from "../../src/adapters/health-from-config.js";
import { KubernetesRolloutSource } from "../../src/adapters/kubernetes/kubernetes-rollout-source.js";

const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
let server: Server;
let base = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        status: "success",
        data: { resultType: "vector", result: [{ metric: {}, value: [1, "0.25"] }] },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const plan = {
  service: "checkout-api",
  environment: "prod",
  field: "replicas",
  form: "count",
  after: "6",
  target: {
    kind: "helm",
    file: "values.yaml",
    workload: "checkout-api",
    replicasKey: "replicaCount",
    tagKey: "image.tag",
    namespace: "shop",
  },
} as Plan;
const ctx = {
  service: "checkout-api",
  environment: "prod",
  workload: "checkout-api",
  mergeSha: "a".repeat(40),
  at: "2026-03-01T10:00:30.000Z",
};
const check = { name: "error_rate", query: "max(errors)", max: 0.05 };

describe("healthFromConfig", () => {
  it("without Prometheus every check is no data, saying where to configure it", async () => {
    const sources = healthFromConfig(RepoConfig.parse({}), plan, {});
    expect(await sources.health.sample(check, ctx)).toEqual({
      name: "error_rate",
      value: null,
      reason: "no Prometheus configured in .github/remedy.yml (health.prometheus)",
    });
    expect(sources.rollout).toBeUndefined();
    expect(evidenceFromConfig(RepoConfig.parse({}), {})).toBeUndefined();
  });

  it("queries the configured Prometheus, with the bearer token from the named environment variable", async () => {
    seen.length = 0;
    const config = RepoConfig.parse({
      health: { prometheus: { url: base, token_env: "PROM_TOKEN", timeout: "2s" } },
    });
    const { health } = healthFromConfig(config, plan, { PROM_TOKEN: "s3cret" });
    expect(await health.sample(check, ctx)).toEqual({ name: "error_rate", value: 0.25 });
    expect(seen[0]!.url).toMatch(/^\/api\/v1\/query\?query=max%28errors%29&time=1772359230\.000&timeout=2s$/);
    expect(seen[0]!.headers.authorization).toBe("Bearer s3cret");
  });

  it("a plain URL works and sends no token; evidence goes through the same Prometheus", async () => {
    seen.length = 0;
    const config = RepoConfig.parse({ health: { prometheus: base } });
    const evidence = evidenceFromConfig(config, { REMEDY_KUBE_TOKEN: "unused" })!;
    expect(await evidence("error_rate", "max(errors)")).toEqual({ value: 0.25 });
    expect(seen[0]!.headers.authorization).toBeUndefined();
  });

  it("reads the rollout from Kubernetes with the plan's namespace and workload", async () => {
    seen.length = 0;
    const config = RepoConfig.parse({ health: { prometheus: base, kubernetes: { api_url: base } } });
    const { rollout } = healthFromConfig(config, plan, { REMEDY_KUBE_TOKEN: "kube-token" });
    expect(rollout).toBeInstanceOf(KubernetesRolloutSource);
    await rollout!.rollout(ctx);
    expect(seen[0]).toMatchObject({
      url: "/apis/apps/v1/namespaces/shop/deployments/checkout-api",
      headers: { authorization: "Bearer kube-token" },
    });
  });

  it("prefers Argo CD where the target names its Application", async () => {
    seen.length = 0;
    const config = RepoConfig.parse({ health: { kubernetes: { api_url: base }, argocd: { url: base } } });
    const withApp = { ...plan, target: { ...plan.target, argocdApp: "checkout-prod" } } as Plan;
    const { rollout } = healthFromConfig(config, withApp, { REMEDY_ARGOCD_TOKEN: "argo-token" });
    expect(rollout).toBeInstanceOf(ArgoCdRolloutSource);
    await rollout!.rollout(ctx);
    expect(seen[0]).toMatchObject({
      url: "/api/v1/applications/checkout-prod",
      headers: { authorization: "Bearer argo-token" },
    });
    // Without the app name the cluster is asked directly.
    expect(healthFromConfig(config, plan, {}).rollout).toBeInstanceOf(KubernetesRolloutSource);
  });

  it("a CA file that cannot be read makes the rollout unknown, never read", async () => {
    const config = RepoConfig.parse({
      health: { kubernetes: { api_url: base, ca_file: "/nonexistent/ca.crt" } },
    });
    const { rollout } = healthFromConfig(config, plan, {});
    expect(await rollout!.rollout(ctx)).toBeNull();
  });
});

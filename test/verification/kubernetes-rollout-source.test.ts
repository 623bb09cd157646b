import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KubernetesRolloutSource } from "../../src/adapters/kubernetes/kubernetes-rollout-source.js";
import { PrometheusHealthSource } from "../../src/adapters/prometheus/prometheus-health-source.js";
import type { HealthContext } from "../../src/verification/index.js";

const API = "https://k8s.test:6443";
const PATH = "/apis/apps/v1/namespaces/shop/deployments/checkout-api";
const deployment = JSON.parse(
  readFileSync(new URL("./fixtures/deployment-complete.json", import.meta.url), "utf8"),
) as Record<string, unknown>;
const ctx: HealthContext = {
  service: "checkout-api",
  environment: "prod",
  workload: "checkout-api",
  mergeSha: "a".repeat(40),
  at: "2026-11-21T10:00:30.000Z",
};
const source = (extra: Partial<ConstructorParameters<typeof KubernetesRolloutSource>[0]> = {}) =>
  new KubernetesRolloutSource({
    apiUrl: API,
    namespace: "shop",
    deployment: "checkout-api",
    token: "sa-token",
    ...extra,
  });

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe("KubernetesRolloutSource", () => {
  it("GETs the Deployment with the bearer token and reads its rollout state", async () => {
    nock(API, { reqheaders: { authorization: "Bearer sa-token" } })
      .get(PATH)
      .reply(200, deployment);
    expect(await source().rollout(ctx)).toEqual({
      state: "complete",
      reason: "successfully rolled out (3 of 3 replicas updated and available)",
    });
  });

  it("applies the expected image", async () => {
    nock(API).get(PATH).reply(200, deployment);
    expect((await source({ expectedImage: "ghcr.io/acme/checkout-api:9.9.9" }).rollout(ctx))?.state).toBe(
      "progressing",
    );
  });

  it("encodes namespace and name into the path", async () => {
    nock(API).get("/apis/apps/v1/namespaces/a%2Fb/deployments/c%3Fd").reply(200, deployment);
    expect((await source({ namespace: "a/b", deployment: "c?d" }).rollout(ctx))?.state).toBe("complete");
  });

  it.each([
    [
      403,
      {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        message: 'deployments.apps "checkout-api" is forbidden',
        reason: "Forbidden",
        code: 403,
      },
    ],
    [
      404,
      {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        message: 'deployments.apps "checkout-api" not found',
        reason: "NotFound",
        code: 404,
      },
    ],
    [500, "internal error"],
  ])("is unknown (null) on HTTP %d", async (status, body) => {
    nock(API).get(PATH).reply(status, body);
    expect(await source().rollout(ctx)).toBeNull();
  });

  it("is unknown on a body that is not a Deployment, a timeout, or a network error", async () => {
    nock(API).get(PATH).reply(200, { kind: "Status" });
    expect(await source().rollout(ctx)).toBeNull();
    nock(API).get(PATH).delay(2_000).reply(200, deployment);
    expect(await source({ timeoutMs: 100 }).rollout(ctx)).toBeNull();
    nock(API).get(PATH).replyWithError("ECONNRESET");
    expect(await source().rollout(ctx)).toBeNull();
  });
});

const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

// A real TLS server with a throw-away self-signed CA: proves caCert is what makes the request trusted.
describe.skipIf(!hasOpenssl)("KubernetesRolloutSource with caCert", () => {
  let dir: string;
  let server: Server;
  let url: string;
  let ca: string;

  beforeAll(async () => {
    nock.enableNetConnect("127.0.0.1");
    dir = mkdtempSync(join(tmpdir(), "remedy-ca-"));
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    ca = readFileSync(cert, "utf8");
    server = createServer({ key: readFileSync(key), cert: ca }, (req, res) => {
      const authorized = req.headers.authorization === "Bearer sa-token";
      res.writeHead(req.url === PATH && authorized ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify(req.url === PATH && authorized ? deployment : { kind: "Status" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
    nock.disableNetConnect();
  });

  it("trusts the API server through the given CA", async () => {
    expect((await source({ apiUrl: url, caCert: ca }).rollout(ctx))?.state).toBe("complete");
  });

  it("does not trust it without the CA", async () => {
    expect(await source({ apiUrl: url }).rollout(ctx)).toBeNull();
    // Same refusal seen through an adapter that reports its reason: it is the certificate, not the route.
    const sample = await new PrometheusHealthSource({ url }).sample({ name: "x", query: "vector(1)" }, ctx);
    expect(sample.reason).toMatch(/^Prometheus unreachable: .*(self.signed|certificate)/i);
  });
});

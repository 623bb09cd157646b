import nock from "nock";
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import { PrometheusHealthSource } from "../../src/adapters/prometheus/prometheus-health-source.js";
import type { CheckSpec, HealthContext } from "../../src/verification/index.js";

const PROM = "http://prometheus.test:9090";
const ctx: HealthContext = {
  service: "checkout-api",
  environment: "prod",
  workload: "checkout-api",
  mergeSha: "a".repeat(40),
  at: "2026-11-21T10:00:30.000Z",
};
const check: CheckSpec = {
  name: "error_rate",
  query:
    'sum(rate(http_requests_total{service="{{service}}",code=~"5.."}[5m])) / sum(rate(http_requests_total{service="{{service}}"}[5m]))',
  max: 0.02,
};
const RENDERED =
  'sum(rate(http_requests_total{service="checkout-api",code=~"5.."}[5m])) / sum(rate(http_requests_total{service="checkout-api"}[5m]))';
const QUERY = { query: RENDERED, time: "1795255230.000", timeout: "10s" };

const vector = (...values: string[]) => ({
  status: "success",
  data: {
    resultType: "vector",
    result: values.map((value, i) => ({
      metric: { service: "checkout-api", pod: `p${i}` },
      value: [1795255230, value],
    })),
  },
});

const source = (opts: { token?: string; timeoutMs?: number; url?: string } = {}) =>
  new PrometheusHealthSource({ url: PROM, ...opts });

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});
afterAll(() => nock.enableNetConnect());

describe("PrometheusHealthSource", () => {
  it("reads the single series of a vector, at the evaluation time, with the rendered query", async () => {
    nock(PROM).get("/api/v1/query").query(QUERY).reply(200, vector("0.0042"));
    expect(await source().sample(check, ctx)).toEqual({ name: "error_rate", value: 0.0042 });
  });

  it("reads a scalar result", async () => {
    nock(PROM)
      .get("/api/v1/query")
      .query(QUERY)
      .reply(200, { status: "success", data: { resultType: "scalar", result: [1795255230, "0.5"] } });
    expect(await source().sample(check, ctx)).toEqual({ name: "error_rate", value: 0.5 });
  });

  it("reads +Inf as a value (it crosses any max)", async () => {
    nock(PROM).get("/api/v1/query").query(QUERY).reply(200, vector("+Inf"));
    expect((await source().sample(check, ctx)).value).toBe(Infinity);
  });

  it("treats an empty vector as no data", async () => {
    nock(PROM).get("/api/v1/query").query(QUERY).reply(200, vector());
    expect(await source().sample(check, ctx)).toEqual({
      name: "error_rate",
      value: null,
      reason: "no series",
    });
  });

  it("treats NaN as no data", async () => {
    nock(PROM).get("/api/v1/query").query(QUERY).reply(200, vector("NaN"));
    expect(await source().sample(check, ctx)).toEqual({
      name: "error_rate",
      value: null,
      reason: "value is NaN",
    });
  });

  it("refuses to pick one of several series", async () => {
    nock(PROM)
      .get("/api/v1/query")
      .query(QUERY)
      .reply(200, vector("0.001", "0.9", "0.002"));
    expect(await source().sample(check, ctx)).toEqual({
      name: "error_rate",
      value: null,
      reason: "query returned 3 series; expected 1 (aggregate it, e.g. with sum or max)",
    });
  });

  it("reports a 422 bad_data error with Prometheus's own message", async () => {
    nock(PROM).get("/api/v1/query").query(QUERY).reply(422, {
      status: "error",
      errorType: "bad_data",
      error: 'invalid parameter "query": 1:5: parse error: unexpected character',
    });
    expect(await source().sample(check, ctx)).toEqual({
      name: "error_rate",
      value: null,
      reason:
        'Prometheus returned HTTP 422 (bad_data): invalid parameter "query": 1:5: parse error: unexpected character',
    });
  });

  it("reports a 503 query timeout", async () => {
    nock(PROM).get("/api/v1/query").query(QUERY).reply(503, {
      status: "error",
      errorType: "timeout",
      error: "query timed out in expression evaluation",
    });
    expect((await source().sample(check, ctx)).reason).toBe(
      "Prometheus returned HTTP 503 (timeout): query timed out in expression evaluation",
    );
  });

  it("reports a 502 from a proxy that answers in HTML", async () => {
    nock(PROM)
      .get("/api/v1/query")
      .query(QUERY)
      .reply(502, "<html><body>Bad Gateway</body></html>", { "content-type": "text/html" });
    expect(await source().sample(check, ctx)).toEqual({
      name: "error_rate",
      value: null,
      reason: "Prometheus returned HTTP 502: <html><body>Bad Gateway</body></html>",
    });
  });

  it("treats a result with warnings as partial, hence no data, even when it has a value", async () => {
    nock(PROM)
      .get("/api/v1/query")
      .query(QUERY)
      .reply(200, {
        ...vector("0.001"),
        warnings: ["remote read of store eu-west failed: context deadline exceeded"],
      });
    expect(await source().sample(check, ctx)).toEqual({
      name: "error_rate",
      value: null,
      reason:
        "partial data, Prometheus warned: remote read of store eu-west failed: context deadline exceeded",
    });
  });

  it("ignores infos, which annotate a complete result", async () => {
    nock(PROM)
      .get("/api/v1/query")
      .query(QUERY)
      .reply(200, {
        ...vector("0.001"),
        infos: ['PromQL info: metric might not be a counter, name does not end in _total: "x"'],
      });
    expect((await source().sample(check, ctx)).value).toBe(0.001);
  });

  it("gives up on a slow response at the timeout", async () => {
    nock(PROM)
      .get("/api/v1/query")
      .query({ ...QUERY, timeout: "1s" })
      .delay(2_000)
      .reply(200, vector("0.001"));
    const started = Date.now();
    const sample = await source({ timeoutMs: 150 }).sample(check, ctx);
    expect(sample).toEqual({
      name: "error_rate",
      value: null,
      reason: "Prometheus did not answer within 150ms",
    });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("reports a network error", async () => {
    nock(PROM)
      .get("/api/v1/query")
      .query(QUERY)
      .replyWithError(
        Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:9090"), { code: "ECONNREFUSED" }),
      );
    const sample = await source().sample(check, ctx);
    expect(sample.value).toBeNull();
    expect(sample.reason).toMatch(/^Prometheus unreachable: .*ECONNREFUSED/);
  });

  it("reports a 200 that is not the API's JSON", async () => {
    nock(PROM).get("/api/v1/query").query(QUERY).reply(200, "<html>login</html>");
    expect((await source().sample(check, ctx)).reason).toBe(
      "Prometheus returned an unexpected response: <html>login</html>",
    );
  });

  it("refuses a matrix result (a range selector without a function)", async () => {
    nock(PROM)
      .get("/api/v1/query")
      .query(QUERY)
      .reply(200, {
        status: "success",
        data: { resultType: "matrix", result: [{ metric: {}, values: [[1795255230, "1"]] }] },
      });
    expect((await source().sample(check, ctx)).reason).toBe(
      "query returned a matrix; expected an instant vector or a scalar",
    );
  });

  it("sends the bearer token and keeps a path prefix in the URL", async () => {
    nock("https://mon.example.com", {
      reqheaders: { authorization: "Bearer s3cret", accept: "application/json" },
    })
      .get("/prometheus/api/v1/query")
      .query(QUERY)
      .reply(200, vector("0.001"));
    const prefixed = new PrometheusHealthSource({
      url: "https://mon.example.com/prometheus/",
      token: "s3cret",
    });
    expect((await prefixed.sample(check, ctx)).value).toBe(0.001);
  });

  it("sends an injected service name as an escaped literal", async () => {
    nock(PROM)
      .get("/api/v1/query")
      .query({
        query: 'up{service="x\\"} or vector(1) or up{a=\\""}',
        time: "1795255230.000",
        timeout: "10s",
      })
      .reply(200, vector()); // Prometheus would match no series with that literal name
    const sample = await source().sample(
      { name: "up", query: 'up{service="{{service}}"}' },
      { ...ctx, service: 'x"} or vector(1) or up{a="' },
    );
    expect(sample.reason).toBe("no series");
  });

  it("makes no request for a query it cannot render safely, or a check without a query", async () => {
    const unsafe = await source().sample({ name: "x", query: "{{service}}_total" }, ctx);
    expect(unsafe.value).toBeNull();
    expect(unsafe.reason).toMatch(/^query not rendered: query uses \{\{service\}\} outside a quoted string/);
    expect(await source().sample({ name: "x" }, ctx)).toEqual({
      name: "x",
      value: null,
      reason: "check has no query",
    });
  });
});

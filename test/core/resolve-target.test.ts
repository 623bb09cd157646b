import { describe, expect, it } from "vitest";
import { RepoConfig } from "../../src/config/repo-config.js";
import { resolveTarget } from "../../src/signals/resolve-target.js";
import { alertIncident, config, issueIncident } from "./incidents.js";

const ok = (service: string, environment: string) =>
  expect.objectContaining({ ok: true, service, environment });

describe("resolveTarget for alerts", () => {
  it("takes the first of service, app, app_kubernetes_io_name, deployment, job that names a configured service", () => {
    expect(
      resolveTarget(alertIncident({ service: "search-api", app: "checkout-api", env: "prod" }), config),
    ).toEqual(ok("search-api", "prod"));
    expect(
      resolveTarget(alertIncident({ service: "nginx", app: "checkout-api", env: "prod" }), config),
    ).toEqual(ok("checkout-api", "prod"));
    expect(
      resolveTarget(alertIncident({ app: "envoy", app_kubernetes_io_name: "search", env: "prod" }), config),
    ).toEqual(ok("search-api", "prod"));
    expect(resolveTarget(alertIncident({ deployment: "legacy", job: "search-api" }), config)).toEqual(
      ok("legacy", "prod"),
    );
    expect(resolveTarget(alertIncident({ job: "checkout", env: "staging" }), config)).toEqual(
      ok("checkout-api", "staging"),
    );
  });

  it("resolves aliases case-insensitively and says which label decided", () => {
    const result = resolveTarget(alertIncident({ app: "Checkout", env: "prod" }), config);
    expect(result).toEqual(ok("checkout-api", "prod"));
    expect(result.why[0]).toBe('service checkout-api from alert label app="Checkout"');
  });

  it("ignores service names that appear only in the alert text", () => {
    const result = resolveTarget(alertIncident({ alertname: "HighLatency" }, "checkout-api is slow"), config);
    expect(result).toMatchObject({
      ok: false,
      reason: expect.stringMatching(
        /^no alert label among service, app, app_kubernetes_io_name, deployment, job/,
      ),
    });
  });

  it("takes the environment from env, environment or namespace labels, with aliases", () => {
    expect(resolveTarget(alertIncident({ service: "checkout-api", env: "stg" }), config)).toEqual(
      ok("checkout-api", "staging"),
    );
    expect(
      resolveTarget(alertIncident({ service: "checkout-api", environment: "production" }), config),
    ).toEqual(ok("checkout-api", "prod"));
    expect(
      resolveTarget(alertIncident({ service: "checkout-api", env: "staging", environment: "prod" }), config),
    ).toEqual(ok("checkout-api", "staging"));
  });

  it("reads an environment out of a namespace like checkout-prod", () => {
    expect(
      resolveTarget(alertIncident({ service: "checkout-api", namespace: "checkout-prod" }), config),
    ).toEqual(ok("checkout-api", "prod"));
    expect(
      resolveTarget(alertIncident({ service: "checkout-api", namespace: "stg-checkout" }), config),
    ).toEqual(ok("checkout-api", "staging"));
  });

  it("prefers a configured namespace", () => {
    const withNamespace = RepoConfig.parse({
      services: {
        api: {
          environments: {
            blue: { kind: "helm", file: "a.yaml", namespace: "payments-live" },
            green: { kind: "helm", file: "b.yaml" },
          },
        },
      },
    });
    expect(
      resolveTarget(alertIncident({ service: "api", namespace: "payments-live" }), withNamespace),
    ).toEqual(ok("api", "blue"));
  });

  it("refuses a namespace that names two environments or none", () => {
    expect(
      resolveTarget(alertIncident({ service: "checkout-api", namespace: "prod-staging-mirror" }), config),
    ).toMatchObject({ ok: false, service: "checkout-api" });
    expect(
      resolveTarget(alertIncident({ service: "checkout-api", namespace: "default" }), config),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining('namespace="default" names no configured environment'),
    });
  });

  it("defaults to the only environment, else prod", () => {
    expect(resolveTarget(alertIncident({ service: "search-api" }), config)).toEqual(ok("search-api", "prod"));
    expect(resolveTarget(alertIncident({ service: "checkout-api" }), config)).toEqual(
      ok("checkout-api", "prod"),
    );
    const noProd = RepoConfig.parse({
      services: {
        api: {
          environments: { blue: { kind: "helm", file: "a.yaml" }, green: { kind: "helm", file: "b.yaml" } },
        },
      },
    });
    expect(resolveTarget(alertIncident({ service: "api" }), noProd)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("name one"),
    });
  });

  it("refuses an environment the service does not have", () => {
    expect(resolveTarget(alertIncident({ service: "search-api", env: "staging" }), config)).toMatchObject({
      ok: false,
      reason: "search-api has no staging environment in .github/remedy.yml (it has: prod)",
    });
  });
});

describe("resolveTarget for issues", () => {
  it("prefers the title over the body, which may mention neighbours", () => {
    expect(
      resolveTarget(issueIncident("search-api is slow", "unlike checkout-api, search is struggling"), config),
    ).toEqual(ok("search-api", "prod"));
  });

  it("uses the body when the title names nothing", () => {
    expect(
      resolveTarget(issueIncident("everything is slow", "the checkout service in staging"), config),
    ).toEqual(ok("checkout-api", "staging"));
  });

  it("refuses a title naming two services", () => {
    expect(resolveTarget(issueIncident("checkout-api and search-api are down"), config)).toMatchObject({
      ok: false,
      reason: "the text names several services (checkout-api, search-api); name one",
    });
  });

  it("refuses two environments, and does not mistake a longer name for a service", () => {
    expect(resolveTarget(issueIncident("checkout-api in prod and staging"), config)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("several environments (prod, staging)"),
    });
    expect(resolveTarget(issueIncident("search-api-v2 is slow"), config)).toMatchObject({
      ok: false,
      service: null,
    });
  });
});

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { remedyEnv } from "../../src/app/remedy-env.js";
import { ROOT } from "../cli/run-cli.js";

/**
 * The Dockerfile and the Helm chart under deploy/helm/remedy. There is no Docker engine and no Helm
 * here, so these tests check what drifts silently: the environment variable names both set must be
 * ones Remedy or Probot actually reads, every variable Remedy reads is settable through the chart,
 * the probes hit Remedy's own endpoints, and the chart's values schema refuses several replicas
 * without Redis.
 */

const CHART = join(ROOT, "deploy/helm/remedy");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

/** The names `remedyEnv` reads, observed by handing it an environment that records every lookup. */
function namesRemedyReads(): Set<string> {
  const seen = new Set<string>();
  const env = new Proxy({} as NodeJS.ProcessEnv, {
    get: (_target, key) => {
      if (typeof key === "string") seen.add(key);
      return undefined;
    },
  });
  remedyEnv(env);
  return seen;
}

/** The names Probot's runner reads (its env options and private-key lookup), from its own source. */
function namesProbotReads(): Set<string> {
  const files = [
    "node_modules/probot/lib/bin/read-env-options.js",
    ...readdirSync(join(ROOT, "node_modules/@probot/get-private-key"), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".js") && !f.includes("node_modules"))
      .map((f) => `node_modules/@probot/get-private-key/${f}`),
  ];
  const names = new Set<string>();
  for (const file of files)
    for (const match of read(file).matchAll(/env\.([A-Z][A-Z0-9_]*)|env\[["']([A-Z][A-Z0-9_]*)["']\]/g))
      names.add((match[1] ?? match[2]) as string);
  return names;
}

function chartTemplates(): string {
  return readdirSync(join(CHART, "templates"))
    .map((file) => readFileSync(join(CHART, "templates", file), "utf8"))
    .join("\n");
}

function envNamesInChart(): Set<string> {
  return new Set([...chartTemplates().matchAll(/- name: ([A-Z][A-Z0-9_]*)\b/g)].map((m) => m[1] as string));
}

function envNamesInDockerfile(): Set<string> {
  const names = new Set<string>();
  const text = read("Dockerfile").replace(/\\\n/g, " ");
  for (const line of text.split("\n").filter((l) => /^ENV\s/.test(l)))
    for (const match of line.matchAll(/([A-Z][A-Z0-9_]*)=/g)) names.add(match[1] as string);
  return names;
}

describe("environment variable names cannot drift", () => {
  const remedy = namesRemedyReads();
  const probot = namesProbotReads();
  const known = new Set([...remedy, ...probot, "NODE_ENV"]);

  it("finds the names Remedy and Probot read", () => {
    expect([...remedy].sort()).toEqual(
      expect.arrayContaining(["REDIS_URL", "REMEDY_ALERT_TOKEN", "REMEDY_DATA_DIR", "REMEDY_MODE"]),
    );
    expect([...probot]).toEqual(expect.arrayContaining(["APP_ID", "WEBHOOK_SECRET", "PRIVATE_KEY", "PORT"]));
  });

  it("the Dockerfile sets only names that are read", () => {
    const names = envNamesInDockerfile();
    expect([...names].sort()).toEqual(["NODE_ENV", "PORT", "REMEDY_DATA_DIR"]);
    for (const name of names) expect(known, `Dockerfile ENV ${name}`).toContain(name);
  });

  it("the chart sets only names that are read, and every name Remedy reads", () => {
    const names = envNamesInChart();
    for (const name of names)
      expect(known, `chart env ${name} is read by neither Remedy nor Probot`).toContain(name);
    for (const name of remedy) expect(names, `chart never sets ${name}, which Remedy reads`).toContain(name);
    for (const name of ["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET", "PORT"]) expect(names).toContain(name);
  });

  it("the secrets come from Secret references, never from plain values", () => {
    const templates = chartTemplates();
    for (const name of ["PRIVATE_KEY", "WEBHOOK_SECRET", "REMEDY_ALERT_TOKEN"])
      expect(templates).toMatch(new RegExp(`- name: ${name}\\n\\s+valueFrom:\\n\\s+secretKeyRef:`));
  });
});

describe("Dockerfile", () => {
  const text = read("Dockerfile");

  it("is multi-stage on Node 20 slim, installs production dependencies only and runs as non-root", () => {
    expect(text.match(/^FROM node:20-slim\b/gm)).toHaveLength(2);
    expect(text).toMatch(/^RUN npm ci --omit=dev\b/m);
    const user = /^USER (\S+)/m.exec(text)?.[1];
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user);
    expect(text.indexOf("USER ")).toBeLessThan(text.indexOf("CMD "));
    expect(text).toMatch(/^CMD \["node", "bin\/remedy\.js", "serve"\]$/m);
  });

  it("checks health on /healthz, the endpoint Remedy serves", () => {
    expect(text).toMatch(/^HEALTHCHECK [^\n]*(\\\n[^\n]*)*\/healthz/m);
    expect(read("src/app/ops-routes.ts")).toContain('"/healthz"');
  });

  it("copies only paths that exist and that .dockerignore lets through", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    const sources = [...text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      (m[1] as string).split(/\s+/),
    );
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), `COPY ${source}`).toBe(true);
      expect(ignored, `.dockerignore excludes ${source}`).not.toContain(source);
    }
    expect(ignored).toEqual(expect.arrayContaining([".git", ".env", "node_modules", "*.pem"]));
  });
});

describe("deploy/helm/remedy", () => {
  const values = parse(readFileSync(join(CHART, "values.yaml"), "utf8")) as Record<string, unknown>;
  const schema = JSON.parse(readFileSync(join(CHART, "values.schema.json"), "utf8")) as object;
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  const withValues = (patch: Record<string, unknown>) => ({ ...values, ...patch });

  it("accepts its default values (one replica, embedded store)", () => {
    expect(validate(values), JSON.stringify(validate.errors)).toBe(true);
    expect(values.replicaCount).toBe(1);
  });

  it("refuses replicas > 1 without Redis in the templates, with a message that says what to set", () => {
    // The schema leaves this rule to the templates: Helm's schema errors ("Must validate 'then' as
    // 'if' was valid") would come first and say nothing useful (helm-chart.test.ts renders both).
    expect(validate(withValues({ replicaCount: 2 }))).toBe(true);
    expect(validate(withValues({ replicaCount: 2, redis: { url: "redis://redis:6379/0" } }))).toBe(true);
    expect(validate(withValues({ replicaCount: 3, redis: { existingSecret: "remedy-redis" } }))).toBe(true);
    expect(validate(withValues({ replicaCount: 2, redis: { url: "http://not-redis" } }))).toBe(false);
    expect(validate(withValues({ remedy: { mode: "yes" } }))).toBe(false);
    const templates = chartTemplates();
    expect(templates).toContain('{{- include "remedy.checkRedis" . -}}');
    expect(templates).toMatch(
      /gt \(int \.Values\.replicaCount\) 1\) \(not \.Values\.redis\.url\)[^\n]*\n\{\{- fail "replicaCount > 1 needs redis\.url/,
    );
  });

  it("probes /healthz and /readyz, scrapes /metrics, and has a Service, a PodDisruptionBudget and a ServiceMonitor", () => {
    const files = readdirSync(join(CHART, "templates")).sort();
    expect(files).toEqual(
      expect.arrayContaining(["deployment.yaml", "service.yaml", "pdb.yaml", "servicemonitor.yaml"]),
    );
    const deployment = readFileSync(join(CHART, "templates/deployment.yaml"), "utf8");
    expect(deployment).toMatch(/livenessProbe:\n\s+httpGet: \{ path: \/healthz, port: http \}/);
    expect(deployment).toMatch(/readinessProbe:\n\s+httpGet: \{ path: \/readyz, port: http \}/);
    expect(readFileSync(join(CHART, "templates/servicemonitor.yaml"), "utf8")).toContain("path: /metrics");
    const routes = read("src/app/ops-routes.ts");
    for (const path of ["/healthz", "/readyz", "/metrics"]) expect(routes).toContain(`"${path}"`);
    // The container port is the PORT the chart gives Probot.
    expect(deployment).toMatch(/containerPort: 3000/);
    expect(deployment).toMatch(/- name: PORT\n\s+value: "3000"/);
  });
});

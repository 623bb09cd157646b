import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { validate } from "@octokit/graphql-schema";
import type nock from "nock";
import { ProbotOctokit } from "probot";

/** The host every GitHub mock intercepts. */
export const GITHUB_API = "https://api.github.com";

interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
}
interface Parameter {
  $ref?: string;
  name?: string;
  in?: string;
  "x-multi-segment"?: boolean;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { $ref?: string; content?: Record<string, { schema?: Schema }> };
}
interface Description {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
}

let description: Description | undefined;
let templates: Array<{ template: string; pattern: RegExp; literal: number }> | undefined;

// The referenced (not dereferenced) description: 13 MB instead of 73, read once per test file.
function api(): Description {
  description ??= JSON.parse(
    readFileSync(
      createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json"),
      "utf8",
    ),
  ) as Description;
  return description;
}

function resolve<T extends { $ref?: string }>(node: T): T {
  let current: T = node;
  for (let depth = 0; current.$ref !== undefined && depth < 20; depth++) {
    const [, , section, name] = current.$ref.split("/");
    current = (api().components[section ?? ""]?.[name ?? ""] ?? {}) as T;
  }
  return current;
}

function compiled(): NonNullable<typeof templates> {
  templates ??= Object.entries(api().paths)
    .map(([template, operations]) => {
      const multi = new Set(
        Object.values(operations)
          .flatMap((operation) => operation.parameters ?? [])
          .map((parameter) => resolve(parameter))
          .filter((parameter) => parameter["x-multi-segment"] === true)
          .map((parameter) => parameter.name),
      );
      const parts = template.split(/(\{[^}]+\})/);
      // Matched against the path as sent: octokit percent-encodes a slash inside a parameter
      // (heads%2Fmain), so only parameters documented as multi-segment may span segments.
      const source = parts
        .map((part) => {
          if (!part.startsWith("{")) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
          return multi.has(part.slice(1, -1)) ? ".+" : "[^/]+";
        })
        .join("");
      return {
        template,
        pattern: new RegExp(`^${source}$`),
        literal: template.replace(/\{[^}]+\}/g, "").length,
      };
    })
    .sort((a, b) => b.literal - a.literal);
  return templates;
}

/**
 * What is wrong with a REST request against GitHub's OpenAPI description: the templated path must
 * exist with that method, each query parameter must be documented for it, and each top-level body
 * field must be a property of its request body schema (required ones present). Empty when fine.
 */
export function openApiProblems(method: string, path: string, body?: unknown): string[] {
  const [rawPath = "", query = ""] = path.split("?");
  const verb = method.toLowerCase();
  const match = compiled().find(
    ({ template, pattern }) => pattern.test(rawPath) && api().paths[template]?.[verb] !== undefined,
  );
  if (match === undefined) return [`${method} ${rawPath} is not a documented GitHub REST endpoint`];
  const operation = api().paths[match.template]?.[verb] as Operation;
  const problems: string[] = [];
  const documented = new Set(
    (operation.parameters ?? [])
      .map((parameter) => resolve(parameter))
      .filter((p) => p.in === "query")
      .map((p) => p.name),
  );
  for (const name of new URLSearchParams(query).keys()) {
    if (!documented.has(name))
      problems.push(`${method} ${match.template}: query parameter ${name} is not documented`);
  }
  const requestBody = operation.requestBody === undefined ? undefined : resolve(operation.requestBody);
  const schema = requestBody?.content?.["application/json"]?.schema;
  if (schema === undefined) {
    if (body !== undefined && body !== "") problems.push(`${method} ${match.template} takes no body`);
    return problems;
  }
  const fields = topLevel(resolve(schema));
  if (body === undefined || body === null || typeof body !== "object" || Array.isArray(body)) {
    return fields.required.size > 0
      ? [...problems, `${method} ${match.template} needs a JSON object body`]
      : problems;
  }
  for (const key of Object.keys(body)) {
    if (!fields.properties.has(key))
      problems.push(`${method} ${match.template}: body.${key} is not a documented field`);
  }
  for (const key of fields.required) {
    if (!(key in body)) problems.push(`${method} ${match.template}: body.${key} is required`);
  }
  return problems;
}

// Properties and required fields of an object schema, through allOf/oneOf/anyOf (any variant's
// property is allowed; only fields required by every variant are required).
function topLevel(schema: Schema): { properties: Set<string>; required: Set<string> } {
  const properties = new Set(Object.keys(schema.properties ?? {}));
  const required = new Set(schema.required ?? []);
  for (const part of schema.allOf ?? []) {
    const inner = topLevel(resolve(part));
    inner.properties.forEach((key) => properties.add(key));
    inner.required.forEach((key) => required.add(key));
  }
  const variants = (schema.oneOf ?? schema.anyOf ?? []).map((variant) => topLevel(resolve(variant)));
  for (const variant of variants) variant.properties.forEach((key) => properties.add(key));
  const first = variants[0];
  if (first !== undefined) {
    for (const key of first.required)
      if (variants.every((variant) => variant.required.has(key))) required.add(key);
  }
  return { properties, required };
}

/** Throws when a REST request is not one GitHub documents (see openApiProblems). */
export function assertMatchesOpenApi(method: string, path: string, body?: unknown): void {
  const problems = openApiProblems(method, path, body);
  if (problems.length > 0) throw new Error(problems.join("\n"));
}

/** Problems of a GraphQL document against GitHub's schema (empty when it validates). */
export function graphqlProblems(query: string): string[] {
  return validate(query).map((error) => error.message);
}

export interface GitHubRequest {
  method: string;
  path: string;
  body: unknown;
  /** What OpenAPI (REST) or the GraphQL schema says is wrong with it; empty when fine. */
  problems: string[];
  /** When it reached the fake (performance.now()), for benchmarks that trace a path. */
  at?: number;
}

/**
 * Records every request the scope intercepts and checks it on the spot: REST against the OpenAPI
 * description, POST /graphql documents against the GraphQL schema. Assert the returned list's
 * problems are empty after each test, so a mock cannot drift from the real API unnoticed.
 */
export function recordGitHub(scope: nock.Scope, into: GitHubRequest[] = []): GitHubRequest[] {
  scope.on("request", (req: { method?: string; path?: string }, _interceptor: unknown, raw: string) => {
    const method = req.method ?? "GET";
    const path = req.path ?? "";
    let body: unknown;
    try {
      body = raw === undefined || raw === "" ? undefined : JSON.parse(raw);
    } catch {
      body = raw;
    }
    let problems: string[];
    if (path.split("?")[0] === "/graphql") {
      const query = (body as { query?: unknown } | undefined)?.query;
      problems = typeof query === "string" ? graphqlProblems(query) : ["POST /graphql without a query"];
    } else {
      problems = openApiProblems(method, path, body);
    }
    into.push({ method, path, body, problems, at: performance.now() });
  });
  return into;
}

/** An octokit as Probot builds it, with retry and throttling off so a test sees every request once. */
export function probotOctokit(): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({
    auth: { token: "test" },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
}

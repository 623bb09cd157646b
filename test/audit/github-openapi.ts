import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  nullable?: boolean;
  oneOf?: Schema[];
  anyOf?: Schema[];
}
interface Operation {
  requestBody?: { content?: { "application/json"?: { schema?: Schema } } };
}

let paths: Record<string, Record<string, Operation>> | undefined;

// The dereferenced description of api.github.com from @octokit/openapi, read once (it is large).
function apiPaths(): Record<string, Record<string, Operation>> {
  if (paths === undefined) {
    const file = createRequire(import.meta.url).resolve(
      "@octokit/openapi/generated/api.github.com.deref.json",
    );
    paths = (JSON.parse(readFileSync(file, "utf8")) as { paths: typeof paths }).paths ?? {};
  }
  return paths;
}

/**
 * What is wrong with a request against GitHub's OpenAPI description: an unknown endpoint, a missing
 * required body field, a field the endpoint does not take, a wrong type or enum value. Empty when
 * the request is one GitHub documents, so the mocks in these tests cannot drift from the real API.
 */
export function openApiProblems(method: string, path: string, body: unknown): string[] {
  const match = findOperation(method.toLowerCase(), decodeURIComponent(path.split("?")[0] ?? path));
  if (match === undefined) return [`${method} ${path} is not a GitHub REST endpoint`];
  const schema = match.operation.requestBody?.content?.["application/json"]?.schema;
  if (schema === undefined) {
    return body === undefined || body === "" ? [] : [`${match.template} takes no body`];
  }
  return check(schema, body, "body");
}

function findOperation(method: string, path: string): { template: string; operation: Operation } | undefined {
  const candidates = Object.entries(apiPaths())
    .filter(
      ([template, operations]) => operations[method] !== undefined && templatePattern(template).test(path),
    )
    .sort(([a], [b]) => b.replace(/\{[^}]+\}/g, "").length - a.replace(/\{[^}]+\}/g, "").length);
  const [template, operations] = candidates[0] ?? [];
  const operation = operations?.[method];
  return template === undefined || operation === undefined ? undefined : { template, operation };
}

function templatePattern(template: string): RegExp {
  // A trailing {ref} may hold slashes (heads/main); other parameters are one segment.
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part, index, parts) => {
      if (!part.startsWith("{")) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
      return index === parts.length - 2 && parts.at(-1) === "" ? ".+" : "[^/]+";
    })
    .join("");
  return new RegExp(`^${source}$`);
}

function check(schema: Schema, value: unknown, at: string): string[] {
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches !== undefined) {
    const results = branches.map((branch) => check(branch, value, at));
    return results.some((problems) => problems.length === 0)
      ? []
      : (results[0] ?? [`${at} matches no variant`]);
  }
  if (value === null) return schema.nullable === true ? [] : [`${at} is null`];
  if (schema.enum !== undefined && !schema.enum.includes(value)) {
    return [`${at} must be one of ${schema.enum.join(", ")}`];
  }
  switch (schema.type) {
    case "object": {
      if (typeof value !== "object" || Array.isArray(value)) return [`${at} must be an object`];
      const record = value as Record<string, unknown>;
      const problems = (schema.required ?? [])
        .filter((key) => !(key in record))
        .map((key) => `${at}.${key} is required`);
      for (const [key, member] of Object.entries(record)) {
        const property = schema.properties?.[key];
        if (property === undefined) problems.push(`${at}.${key} is not a documented field`);
        else problems.push(...check(property, member, `${at}.${key}`));
      }
      return problems;
    }
    case "array":
      if (!Array.isArray(value)) return [`${at} must be an array`];
      return value.flatMap((item, index) =>
        schema.items === undefined ? [] : check(schema.items, item, `${at}[${index}]`),
      );
    case "string":
      return typeof value === "string" ? [] : [`${at} must be a string`];
    case "integer":
      return Number.isInteger(value) ? [] : [`${at} must be an integer`];
    case "boolean":
      return typeof value === "boolean" ? [] : [`${at} must be a boolean`];
    default:
      return [];
  }
}

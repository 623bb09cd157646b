import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { RepoConfig } from "../config/repo-config.js";
import { Runbook } from "../diagnosis/runbook-schema.js";
import { Policy } from "../policy/policy-schema.js";
import { Scenario } from "../scenarios/scenario-schema.js";
import { parseOnlyOptions, type CliIo } from "./io.js";

export const SCHEMAS_USAGE = "remedy schemas [--out DIR]";

export const SCHEMAS_HELP = `usage: ${SCHEMAS_USAGE}

Writes the JSON Schemas of .github/remedy.yml, runbooks, policies and scenarios to DIR (default
schemas/) as remedy-config.schema.json, runbook.schema.json, policy.schema.json and
scenario.schema.json (npm run schemas regenerates the committed ones). Point an editor at them with
a first line such as
  # yaml-language-server: $schema=../schemas/runbook.schema.json`;

export const SCHEMAS = {
  "remedy-config": RepoConfig,
  runbook: Runbook,
  policy: Policy,
  scenario: Scenario,
} as const;

/** The stable `$id` of each schema, which editors and the example files' `$schema` hints name. */
export function schemaId(name: string): string {
  return `${SCHEMA_BASE}${name}.schema.json`;
}

const SCHEMA_BASE = "https://remedy.dev/schemas/";

/** JSON Schema documents generated from the zod schemas, so editors validate the YAML files. */
export function jsonSchemas(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(SCHEMAS).map(([name, schema]) => {
      const { $schema, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
      return [name, { $schema, $id: schemaId(name), ...rest }];
    }),
  );
}

export async function schemasCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parseOnlyOptions(args, { out: "value" });
  if ("error" in parsed) {
    io.err(`usage: ${SCHEMAS_USAGE} (${parsed.error})`);
    return 2;
  }
  const out = typeof parsed.options.out === "string" ? parsed.options.out : "schemas";
  await mkdir(out, { recursive: true });
  for (const [name, schema] of Object.entries(jsonSchemas())) {
    const file = join(out, `${name}.schema.json`);
    await writeFile(file, `${JSON.stringify(schema, null, 2)}\n`);
    io.out(`wrote ${file}`);
  }
  return 0;
}

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonSchemas } from "../../src/cli/schemas-command.js";

const root = join(import.meta.dirname, "..", "..");

describe("schemas/", () => {
  it("holds the JSON Schemas generated from the zod schemas (run `npm run schemas` after changing one)", async () => {
    for (const [name, schema] of Object.entries(jsonSchemas())) {
      const committed = JSON.parse(
        await readFile(join(root, "schemas", `${name}.schema.json`), "utf8"),
      ) as unknown;
      expect(committed, `schemas/${name}.schema.json is stale`).toEqual(schema);
    }
  });

  it("describes the repository configuration's services and the runbook action kinds", () => {
    const schemas = jsonSchemas();
    expect(JSON.stringify(schemas["remedy-config"])).toContain("replicas_key");
    expect(JSON.stringify(schemas.runbook)).toContain("rollback-image");
  });
});

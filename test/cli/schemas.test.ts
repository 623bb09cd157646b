import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
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

  it("gives every schema an $id, which the example files' yaml-language-server hints point at", async () => {
    for (const [name, schema] of Object.entries(jsonSchemas()))
      expect((schema as { $id?: string }).$id).toBe(`https://remedy.dev/schemas/${name}.schema.json`);
    const hints: Array<[string, string]> = [
      [".github/remedy.yml", "../schemas/remedy-config.schema.json"],
      ["runbooks/scale-on-saturation.yaml", "../schemas/runbook.schema.json"],
      ["policies/10-prod.yaml", "../schemas/policy.schema.json"],
      ["examples/scenarios/01-cart-latency-scale-is-reverted.yaml", "../../schemas/scenario.schema.json"],
    ];
    for (const [file, schema] of hints) {
      const first = (await readFile(join(root, file), "utf8")).split("\n")[0];
      expect(first, file).toBe(`# yaml-language-server: $schema=${schema}`);
    }
  });

  it("points every yaml-language-server hint in the repository at a schema that exists", async () => {
    const tracked = execFileSync("git", ["ls-files", "*.yaml", "*.yml"], { cwd: root, encoding: "utf8" });
    let hinted = 0;
    for (const file of tracked.split("\n").filter(Boolean)) {
      const hint = /^# yaml-language-server: \$schema=(\S+)$/m.exec(await readFile(join(root, file), "utf8"));
      if (hint === null || /^https?:/.test(hint[1] as string)) continue;
      hinted++;
      expect(existsSync(join(root, dirname(file), hint[1] as string)), `${file}: ${hint[1]}`).toBe(true);
    }
    expect(hinted).toBeGreaterThan(40);
  });
});

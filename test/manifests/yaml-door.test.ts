import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("the one YAML door", () => {
  it("only src/manifests/yaml.ts imports the yaml package", () => {
    const dir = new URL("../../src/manifests/", import.meta.url);
    const importers = readdirSync(dir)
      .filter((name) => name.endsWith(".ts"))
      .filter((name) => /from\s+["']yaml["']/.test(readFileSync(new URL(name, dir), "utf8")));
    expect(importers).toEqual(["yaml.ts"]);
  });
});

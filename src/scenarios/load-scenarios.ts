import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseWithSchema } from "../config/parse-with-schema.js";
import { Scenario } from "./scenario-schema.js";

export async function loadScenario(file: string): Promise<Scenario> {
  return parseWithSchema(file, await readFile(file, "utf8"), Scenario);
}

/** Every `*.yaml` directly in `dir` (or the file itself), sorted by name. */
export async function scenarioFiles(path: string): Promise<string[]> {
  if ((await stat(path)).isFile()) return [path];
  return (await readdir(path))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(path, f));
}

/**
 * `npm run bench`: runs every bench/*.ts (other than this file) that exports
 * `async function bench(): Promise<string[]>`, in file-name order, and prints the lines each returns.
 * A benchmark that throws is reported and makes the run exit 1; the others still run.
 */
import { readdir } from "node:fs/promises";
import { basename } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

type Bench = () => Promise<string[]>;

const here = fileURLToPath(new URL(".", import.meta.url));
const self = basename(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);

const files = (await readdir(here))
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && f !== self)
  .sort();
let failed = 0;
for (const file of files) {
  const name = file.replace(/\.ts$/, "");
  if (only.length > 0 && !only.includes(name)) continue;
  const module = (await import(pathToFileURL(`${here}${file}`).href)) as { bench?: unknown };
  if (typeof module.bench !== "function") continue;
  try {
    for (const line of await (module.bench as Bench)()) console.log(line);
  } catch (error) {
    failed++;
    console.error(`${name}: failed: ${(error as Error).stack ?? String(error)}`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;

import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";

/** Every file under `dir` as repository path → content (skipping .git and node_modules). */
export async function readTree(
  dir: string,
  only?: (path: string) => boolean,
): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      if (entry.name === ".git" || entry.name === "node_modules") continue;
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const path = relative(dir, full).split(sep).join("/");
        if (only === undefined || only(path)) files[path] = await readFile(full, "utf8");
      }
    }
  };
  await walk(dir);
  return files;
}

import { InvalidFileError } from "../config/invalid-file-error.js";
import { parseWithSchema } from "../config/parse-with-schema.js";
import { RepoConfig } from "../config/repo-config.js";
import { Runbook } from "../diagnosis/runbook-schema.js";
import { Policy } from "../policy/policy-schema.js";
import { STARTER_CONFIG_PATH, type StarterFiles } from "./starter-files.js";

/**
 * The first starter file that does not load with Remedy's own loader, and why; null when all do.
 * What `remedy init` and the onboarding PR write must load exactly as Remedy will load it, so a
 * failure here is Remedy's bug, never the repository's.
 */
export function invalidStarterFile(files: StarterFiles["files"]): { path: string; problem: string } | null {
  for (const { path, text } of files) {
    const schema =
      path === STARTER_CONFIG_PATH ? RepoConfig : path.startsWith("runbooks/") ? Runbook : Policy;
    try {
      parseWithSchema(path, text, schema);
    } catch (error) {
      return { path, problem: error instanceof InvalidFileError ? error.message : String(error) };
    }
  }
  return null;
}

import { InvalidFileError, type FileProblem } from "../config/invalid-file-error.js";
import { parseWithSchema, parseYamlData, validateData } from "../config/parse-with-schema.js";
import { CONFIG_PATH, RepoConfig } from "../config/repo-config.js";
import { resolveExtends } from "../config/resolve-extends.js";
import { Runbook } from "../diagnosis/runbook-schema.js";
import { mergePolicies } from "../policy/merge-policies.js";
import { Policy } from "../policy/policy-schema.js";
import type { RepoReader } from "./repo-reader.js";

export interface Repository {
  config: RepoConfig;
  runbooks: Runbook[];
  policy: Policy;
}

const YAML_FILE = /\.ya?ml$/;

export async function loadConfig(reader: RepoReader): Promise<RepoConfig> {
  const text = await reader.readFile(CONFIG_PATH);
  if (text === null) {
    throw new InvalidFileError([
      {
        file: CONFIG_PATH,
        path: "",
        message:
          "is missing: Remedy needs it to know which services it may change (see the README's configuration reference)",
      },
    ]);
  }
  // `_extends` is followed before validation, so the merged file is what the schema judges.
  const data = await resolveExtends(CONFIG_PATH, parseYamlData(CONFIG_PATH, text), reader.extendsSource);
  return validateData(CONFIG_PATH, data, RepoConfig, text);
}

/** Loads configuration, runbooks and policies; any invalid file fails the whole load (fail closed). */
export async function loadRepository(reader: RepoReader, config?: RepoConfig): Promise<Repository> {
  const repoConfig = config ?? (await loadConfig(reader));
  const problems: FileProblem[] = [];
  const runbooks = await loadRunbooks(reader, repoConfig.runbooks, problems);
  const policy = await loadPolicy(reader, repoConfig.policies, problems);
  if (problems.length > 0) throw new InvalidFileError(problems);
  return { config: repoConfig, runbooks, policy };
}

async function loadRunbooks(reader: RepoReader, dir: string, problems: FileProblem[]): Promise<Runbook[]> {
  const runbooks: Runbook[] = [];
  const seen = new Map<string, string>();
  for (const file of (await reader.listFiles(dir)).filter((f) => YAML_FILE.test(f))) {
    const text = (await reader.readFile(file)) ?? "";
    const runbook = collect(problems, () => parseWithSchema(file, text, Runbook));
    if (runbook === undefined) continue;
    const other = seen.get(runbook.id);
    if (other !== undefined) {
      problems.push({
        file,
        path: "id",
        message: `"${runbook.id}" is already the id of ${other}; runbook ids must be unique`,
      });
      continue;
    }
    seen.set(runbook.id, file);
    runbooks.push(runbook);
  }
  return runbooks;
}

async function loadPolicy(reader: RepoReader, dir: string, problems: FileProblem[]): Promise<Policy> {
  const documents: Array<{ file: string; data: unknown }> = [];
  for (const file of (await reader.listFiles(dir)).filter((f) => YAML_FILE.test(f)).sort()) {
    const text = (await reader.readFile(file)) ?? "";
    const data = collect(problems, () => {
      const parsed = parseYamlData(file, text) ?? {};
      validateData(file, parsed, Policy, text);
      return parsed;
    });
    if (data !== undefined) documents.push({ file, data });
  }
  return (
    collect(problems, () =>
      validateData(
        documents.map((d) => d.file).join(" + ") || dir,
        mergePolicies(documents.map((d) => d.data)),
        Policy,
      ),
    ) ?? Policy.parse({})
  );
}

function collect<T>(problems: FileProblem[], read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof InvalidFileError) {
      problems.push(...error.problems);
      return undefined;
    }
    throw error;
  }
}

import { InvalidFileError, type FileProblem } from "../config/invalid-file-error.js";
import { parseWithSchema, parseYamlData, validateData } from "../config/parse-with-schema.js";
import { CONFIG_PATH, RepoConfig } from "../config/repo-config.js";
import { resolveExtends } from "../config/resolve-extends.js";
import { Runbook } from "../diagnosis/runbook-schema.js";
import { mergePolicies } from "../policy/merge-policies.js";
import { Policy } from "../policy/policy-schema.js";
import { ContentMemo } from "./content-memo.js";
import type { RepoReader } from "./repo-reader.js";

export interface Repository {
  config: RepoConfig;
  runbooks: Runbook[];
  policy: Policy;
}

const YAML_FILE = /\.ya?ml$/;

/**
 * The files parsed and validated so far in this process, by content (see ContentMemo): a storm
 * loads the same commit's configuration, runbooks and policies for every alert.
 */
const parsedFiles = new ContentMemo();

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
  // A config without `_extends` depends on its text alone, so its validated form is kept by text. With
  // `_extends` it also depends on files elsewhere (read afresh each time): only its parse is kept.
  const own = parsedFiles.get(["config", text], (): { config: RepoConfig } | { data: unknown } => {
    const data = parseYamlData(CONFIG_PATH, text);
    return hasExtends(data) ? { data } : { config: validateData(CONFIG_PATH, data, RepoConfig, text) };
  });
  if ("config" in own) return own.config;
  // `_extends` is followed before validation, so the merged file is what the schema judges.
  const data = await resolveExtends(CONFIG_PATH, own.data, reader.extendsSource);
  return validateData(CONFIG_PATH, data, RepoConfig, text);
}

/** What resolveExtends follows: a map with an `_extends` key. */
function hasExtends(data: unknown): boolean {
  return typeof data === "object" && data !== null && !Array.isArray(data) && "_extends" in data;
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
    const runbook = collect(problems, () =>
      parsedFiles.get(["runbook", file, text], () => parseWithSchema(file, text, Runbook)),
    );
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
  const files: Array<{ file: string; text: string }> = [];
  for (const file of (await reader.listFiles(dir)).filter((f) => YAML_FILE.test(f)).sort())
    files.push({ file, text: (await reader.readFile(file)) ?? "" });
  const inputs = ["policy", dir, ...files.flatMap(({ file, text }) => [file, text])];
  return collect(problems, () => parsedFiles.get(inputs, () => mergedPolicy(dir, files))) ?? Policy.parse({});
}

/** Every policy file checked on its own, then their merge; throws every problem found. */
function mergedPolicy(dir: string, files: ReadonlyArray<{ file: string; text: string }>): Policy {
  const problems: FileProblem[] = [];
  const documents: Array<{ file: string; data: unknown }> = [];
  for (const { file, text } of files) {
    const data = collect(problems, () => {
      const parsed = parseYamlData(file, text) ?? {};
      validateData(file, parsed, Policy, text);
      return parsed;
    });
    if (data !== undefined) documents.push({ file, data });
  }
  const policy = collect(problems, () =>
    validateData(
      documents.map((d) => d.file).join(" + ") || dir,
      mergePolicies(documents.map((d) => d.data)),
      Policy,
    ),
  );
  if (policy === undefined || problems.length > 0) throw new InvalidFileError(problems);
  return policy;
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

import { InvalidFileError } from "./invalid-file-error.js";
import { parseYamlData } from "./parse-with-schema.js";

/** Reads a file on the default branch of another repository (`owner/name`); null when absent. */
export type ReadFileIn = (repo: string, path: string) => Promise<string | null>;

/** Where `_extends` may read from: the repository holding the config, and a way to read others. */
export interface ExtendsSource {
  repo: string;
  read: ReadFileIn;
}

export const DEFAULT_EXTENDS_PATH = ".github/remedy.yml";
/** How many `_extends` hops a configuration may take (the repository's own file is not counted). */
export const MAX_EXTENDS_DEPTH = 3;

interface Target {
  repo: string;
  path: string;
}

/**
 * Follows `_extends` the way Probot's config loader does (`_extends: .github` is the `.github`
 * repository of the same owner; `other-repo:path/file.yml` names another file), so an organisation
 * keeps shared defaults in one repository. The file's own keys win over the extended ones: maps
 * merge key by key, scalars and lists are replaced. Only repositories of the same owner may be
 * extended (a config must not hand its services to someone else's repository), chains stop after
 * MAX_EXTENDS_DEPTH hops, and a cycle is an error naming it.
 *
 * Answers the merged data without `_extends`; the caller validates it with the config schema.
 */
export async function resolveExtends(
  file: string,
  data: unknown,
  source: ExtendsSource | undefined,
): Promise<unknown> {
  return follow(file, data, source, [`${source?.repo ?? "this repository"}:${file}`]);
}

async function follow(
  file: string,
  data: unknown,
  source: ExtendsSource | undefined,
  chain: string[],
): Promise<unknown> {
  if (!isMap(data) || !("_extends" in data)) return data;
  const { _extends: value, ...own } = data;
  const fail = (message: string): never => {
    throw new InvalidFileError([{ file, path: "_extends", message }]);
  };
  if (typeof value !== "string" || value.trim() === "")
    return fail('must be a repository name like ".github" or "owner/repo:path/to/remedy.yml"');
  if (source === undefined)
    return fail(
      `names ${JSON.stringify(value)}, which Remedy can only follow on GitHub; remedy plan reads a local checkout alone. Copy the shared settings into this file to plan offline.`,
    );
  const target = parseTarget(value.trim(), source.repo);
  if (typeof target === "string") return fail(target);
  const owner = ownerOf(source.repo);
  if (ownerOf(target.repo).toLowerCase() !== owner.toLowerCase())
    return fail(
      `names ${target.repo}, outside ${owner}: only a repository of the same owner may hold shared configuration`,
    );
  const at = `${target.repo}:${target.path}`;
  if (chain.some((link) => link.toLowerCase() === at.toLowerCase()))
    return fail(`makes a cycle: ${[...chain, at].join(" → ")}`);
  if (chain.length > MAX_EXTENDS_DEPTH)
    return fail(`goes deeper than ${MAX_EXTENDS_DEPTH} levels: ${[...chain, at].join(" → ")}`);
  const text = await source.read(target.repo, target.path);
  if (text === null)
    return fail(
      `names ${at}, which does not exist or cannot be read (install the App on ${target.repo} too)`,
    );
  const label = `${target.repo}/${target.path}`;
  const base = await follow(label, parseYamlData(label, text), { repo: target.repo, read: source.read }, [
    ...chain,
    at,
  ]);
  if (!isMap(base)) return fail(`names ${at}, which is not a YAML map`);
  return merge(base, own);
}

/** `name`, `owner/name`, either with `:path`. */
function parseTarget(value: string, ownRepo: string): Target | string {
  const match = /^(?:([A-Za-z0-9-]+)\/)?([A-Za-z0-9._-]+)(?::(.+))?$/.exec(value);
  if (match === null)
    return `must be a repository name like ".github" or "owner/repo:path/to/remedy.yml" (got ${JSON.stringify(value.slice(0, 100))})`;
  const [, owner, name, path] = match;
  const file = path ?? DEFAULT_EXTENDS_PATH;
  if (file.startsWith("/") || file.split("/").includes("..") || !/\.ya?ml$/.test(file))
    return `names the path ${JSON.stringify(file.slice(0, 100))}: it must be a .yml or .yaml file inside that repository`;
  return { repo: `${owner ?? ownerOf(ownRepo)}/${name}`, path: file };
}

function ownerOf(repo: string): string {
  return repo.split("/")[0] ?? repo;
}

/** The extending file's own keys win: maps merge recursively, everything else is replaced. */
function merge(base: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(base))
    if (key !== "__proto__" && key !== "constructor" && key !== "prototype") out[key] = value;
  for (const [key, value] of Object.entries(own)) {
    if (key === "__proto__" || key === "constructor" || key === "prototype") continue;
    const under = Object.hasOwn(out, key) ? out[key] : undefined;
    out[key] = isMap(under) && isMap(value) ? merge(under, value) : value;
  }
  return out;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

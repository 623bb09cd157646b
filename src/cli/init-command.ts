import { lstat, mkdir, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { findWorkloads, type FoundWorkload } from "../onboarding/find-workloads.js";
import { STARTER_CONFIG_PATH, starterFiles, type StarterFiles } from "../onboarding/starter-files.js";
import { invalidStarterFile } from "../onboarding/validate-starter.js";
import { readTree } from "../scenarios/read-tree.js";
import { parseOnlyOptions, type CliIo } from "./io.js";

export const INIT_USAGE = "remedy init --repo DIR";

export const INIT_HELP = `usage: ${INIT_USAGE}

Finds Helm values files (replicaCount, image.tag, also under a sub-chart's key) and kustomizations
(replicas:, images:) in a GitOps checkout DIR (default: the current directory), infers each one's
service and environment from its path (overlays/prod, values-staging.yaml, clusters/production/…),
and writes a starter .github/remedy.yml, one runbook and one policy. It never overwrites a file:
a repository that already has .github/remedy.yml is refused, and an existing runbook or policy file
of the same name is left as it is. Then it prints what it found and what a person must review.

The starter configuration uses mode: dry-run (plans are posted as comments, no pull requests) until
you switch it to propose.

Exit codes: 0 files written, 2 bad input (no such directory, already configured).`;

/** `remedy init`: a starter configuration for a GitOps checkout, never overwriting a file. */
export async function initCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parseOnlyOptions(args, { repo: "value" });
  if ("error" in parsed) {
    io.err(`usage: ${INIT_USAGE} (${parsed.error})`);
    return 2;
  }
  const given = typeof parsed.options.repo === "string" ? parsed.options.repo : ".";
  const dir = resolve(given);
  const refusal = await refusalFor(dir, given);
  if (refusal !== null) {
    io.err(refusal);
    return 2;
  }
  const tree = await readTree(dir, (path) => /\.ya?ml$/.test(path));
  const found = findWorkloads(tree);
  const starter = starterFiles(found);

  const invalid = invalidStarterFile(starter.files);
  if (invalid !== null) {
    io.err(
      `remedy init: the starter ${invalid.path} does not validate (a bug in remedy init, please report it):\n${invalid.problem}`,
    );
    return 1;
  }
  const folderProblem = await folderRefusal(dir, given);
  if (folderProblem !== null) {
    io.err(folderProblem);
    return 2;
  }
  const { written, kept } = await writeStarter(dir, starter.files);
  report(io, given, found, starter, written, kept);
  return 0;
}

/** Why init must not start in `dir`: no such directory, or already configured; null when it may. */
async function refusalFor(dir: string, given: string): Promise<string | null> {
  const isDirectory = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDirectory) return `remedy init: --repo ${given}: the directory does not exist`;
  if (await exists(join(dir, STARTER_CONFIG_PATH)))
    return `remedy init: ${STARTER_CONFIG_PATH} already exists in ${given}; remedy init only starts a repository and never overwrites a file. Edit it instead (remedy plan checks it).`;
  return null;
}

/** A folder init writes into that is a symbolic link or a file; null when all are real folders or absent. */
async function folderRefusal(dir: string, given: string): Promise<string | null> {
  for (const folder of [".github", "runbooks", "policies"]) {
    const info = await lstat(join(dir, folder)).catch(() => null);
    if (info !== null && (info.isSymbolicLink() || !info.isDirectory()))
      return `remedy init: ${folder} in ${given} is ${info.isSymbolicLink() ? "a symbolic link" : "not a directory"}; remedy init writes only into real folders of the repository. Replace it with a folder, or write the files by hand.`;
  }
  return null;
}

async function writeStarter(
  dir: string,
  files: StarterFiles["files"],
): Promise<{ written: string[]; kept: string[] }> {
  const written: string[] = [];
  const kept: string[] = [];
  for (const { path, text } of files) {
    const full = join(dir, path);
    await mkdir(dirname(full), { recursive: true });
    // `wx`: created only if absent, so a file that appeared meanwhile (or a symlink) is never replaced.
    const created = await writeFile(full, text, { flag: "wx" }).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "EEXIST") return false;
        throw error;
      },
    );
    (created ? written : kept).push(path);
  }
  return { written, kept };
}

function report(
  io: CliIo,
  given: string,
  found: FoundWorkload[],
  starter: StarterFiles,
  written: string[],
  kept: string[],
): void {
  io.out(`Found ${found.length} workload${found.length === 1 ? "" : "s"} in ${given}:`);
  if (found.length === 0)
    io.out("  none: no Helm values with replicaCount/image.tag and no kustomization with replicas:/images:");
  for (const workloads of Object.values(starter.services))
    for (const w of workloads) {
      io.out(`  ${w.service} ${w.environment}: ${w.kind} ${w.file} (${fieldsOf(w).join(", ")})`);
      for (const note of w.notes) io.out(`    review: ${note}`);
    }
  for (const { workload, reason } of starter.skipped) io.out(`  skipped ${workload.file}: ${reason}`);
  io.out("");
  io.out("Wrote:");
  for (const path of written) io.out(`  ${path}`);
  for (const path of kept)
    io.out(`  ${path} already exists: left as it is (compare it with the starter by hand)`);
  io.out("");
  io.out("Review before relying on it:");
  for (const item of starter.review) io.out(`  - ${item}`);
  io.out("");
  io.out("Next steps:");
  io.out(`  1. npx remedy plan --repo ${given} --signal <alert.json|issue.yaml>   to see a decision offline`);
  io.out("  2. commit the files, install the GitHub App on the repository, protect the base branch");
  io.out("  3. when the dry-run plans look right, set mode: propose in .github/remedy.yml");
}

function fieldsOf(w: FoundWorkload): string[] {
  const fields = [
    w.replicas === null ? null : `replicas ${w.replicas}`,
    w.tag === null
      ? null
      : `image ${w.image === undefined ? "" : `${w.image}${w.tag.startsWith("sha256:") ? "@" : ":"}`}${w.tag}`,
  ];
  return fields.filter((f): f is string => f !== null);
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

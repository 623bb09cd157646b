import { posix } from "node:path";
import { lookup } from "./yaml.js";
import type { ReadFile, ManifestTarget } from "./types.js";
import { stringsIn, walkKustomization } from "./walk-kustomization.js";
import type { VisitedDocument, VisitedKustomization } from "./walk-kustomization.js";

// The kinds Kustomize's `replicas:` transformer applies to.
const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"]);

export type BaseReplicas =
  | { ok: true; value: number; file: string; line: number | undefined; defaulted: boolean }
  | { ok: false; reason: string };

/**
 * The replica count in force for a Kustomize workload whose overlay has no `replicas:` entry (see
 * findBaseReplicas); null when it cannot be known for sure. Helm targets always return null: their
 * replicas key must exist in the values file.
 */
export async function readReplicasFallback(
  target: ManifestTarget,
  readFile: ReadFile,
): Promise<number | null> {
  const found = await findBaseReplicas(target, readFile);
  return found.ok ? found.value : null;
}

/**
 * Follows the overlay's resources down to the count that applies: the nearest inner kustomization's
 * `replicas:` entry for the workload, else the `spec.replicas` of the Deployment/StatefulSet (or
 * ReplicaSet, ReplicationController) named like the workload, or 1 when that is absent, as Kubernetes
 * defaults it. Refuses rather than guesses when the workload is found twice, a patch on the way
 * mentions replicas, the value is behind an alias or not an integer, or a resource could not be read.
 * Name prefixes and suffixes of inner overlays are not applied.
 */
export async function findBaseReplicas(target: ManifestTarget, readFile: ReadFile): Promise<BaseReplicas> {
  if (target.kind !== "kustomize")
    return { ok: false, reason: `${target.file}: Helm values have no base to fall back to` };
  const workload = target.workload;
  const tally: Tally = { found: [], problems: [], patchFiles: [] };
  const notes = await walkKustomization(target.file, readFile, {
    kustomization: (node) => countInKustomization(node, workload, tally),
    document: (doc) => countInDocument(doc, workload, tally),
  });
  tally.problems.push(...(await patchFilesMentioningReplicas(tally.patchFiles, readFile)));
  return conclude(target.file, workload, tally, notes);
}

type Found = { value: number; file: string; line: number | undefined; defaulted: boolean };

/** What the walk gathered: every count found for the workload, what refuses a guess, patch files to read. */
interface Tally {
  found: Found[];
  problems: string[];
  patchFiles: string[];
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** An inner kustomization's `replicas:` entry for the workload; false when it overrides its resources. */
function countInKustomization(node: VisitedKustomization, workload: string, tally: Tally): boolean {
  tally.problems.push(...inlinePatchesMentioningReplicas(node));
  tally.patchFiles.push(...patchPaths(node));
  if (node.root) return true;
  const count = lookup(node.ydoc, ["replicas", { key: "name", equals: workload }, "count"], node.text);
  if (count.found) {
    const value = count.scalar.value;
    if (isCount(value))
      tally.found.push({ value, file: node.file, line: count.scalar.line, defaulted: false });
    else
      tally.problems.push(
        `${node.file}: replicas count for ${workload} is ${count.scalar.raw}, not an integer`,
      );
    // The inner overlay's entry overrides whatever its own resources say.
    return false;
  }
  if (count.why !== "missing" && count.why !== "not-a-list")
    tally.problems.push(`${node.file}: replicas for ${workload} cannot be read (${count.why})`);
  return true;
}

/** The `spec.replicas` of a workload named like ours (1 when absent, as Kubernetes defaults it). */
function countInDocument({ file, text, ydoc, data }: VisitedDocument, workload: string, tally: Tally): void {
  const object = data as { kind?: unknown; metadata?: { name?: unknown } } | null;
  if (
    object === null ||
    typeof object !== "object" ||
    typeof object.kind !== "string" ||
    !WORKLOAD_KINDS.has(object.kind)
  )
    return;
  if (object.metadata?.name !== workload) return;
  const what = `${file}: spec.replicas of ${object.kind} ${workload}`;
  const replicas = lookup(ydoc, ["spec", "replicas"], text);
  if (replicas.found) {
    const value = replicas.scalar.value;
    if (isCount(value)) tally.found.push({ value, file, line: replicas.scalar.line, defaulted: false });
    else tally.problems.push(`${what} is ${replicas.scalar.raw}, not an integer`);
  } else if (replicas.why === "missing" || replicas.why === "no-value") {
    tally.found.push({ value: 1, file, line: undefined, defaulted: true });
  } else tally.problems.push(`${what} cannot be read (${replicas.why})`);
}

async function patchFilesMentioningReplicas(paths: readonly string[], readFile: ReadFile): Promise<string[]> {
  const problems: string[] = [];
  for (const path of paths) {
    const text = await readFile(path);
    if (text === null) problems.push(`patch ${path} could not be read`);
    else if (/\breplicas\b/.test(text))
      problems.push(`patch ${path} mentions replicas and may change the count`);
  }
  return problems;
}

/** The one count found with nothing against it, or every reason it cannot be known. */
function conclude(file: string, workload: string, { found, problems }: Tally, notes: string[]): BaseReplicas {
  const first = found[0];
  if (first !== undefined && found.length === 1 && problems.length === 0 && notes.length === 0)
    return { ok: true, ...first };
  const why = [
    ...(found.length === 0 ? [`no Deployment or StatefulSet named ${workload} was found`] : []),
    ...(found.length > 1
      ? [`${workload} is defined ${found.length} times (${found.map((f) => f.file).join(", ")})`]
      : []),
    ...problems,
    ...notes,
  ];
  return {
    ok: false,
    reason: `${file}: the current replica count of ${workload} cannot be determined: ${why.join("; ")}.`,
  };
}

// Inline patches (`patch: |` strings) are part of the kustomization text; path patches are read later.
function inlinePatchesMentioningReplicas(node: VisitedKustomization): string[] {
  const inline = [
    ...listOf(node.data["patches"]),
    ...listOf(node.data["patchesStrategicMerge"]),
    ...listOf(node.data["patchesJson6902"]),
  ]
    .map((entry) =>
      typeof entry === "object" && entry !== null ? (entry as { patch?: unknown }).patch : entry,
    )
    .filter((patch): patch is string => typeof patch === "string" && patch.includes("\n"));
  return inline.some((patch) => /\breplicas\b/.test(patch))
    ? [`${node.file} has an inline patch that mentions replicas and may change the count`]
    : [];
}

function patchPaths(node: VisitedKustomization): string[] {
  const dir = posix.dirname(node.file);
  const paths = [
    ...listOf(node.data["patches"]).map((entry) => (entry as { path?: unknown } | null)?.path),
    ...listOf(node.data["patchesJson6902"]).map((entry) => (entry as { path?: unknown } | null)?.path),
    ...stringsIn(node.data["patchesStrategicMerge"]).filter((entry) => !entry.includes("\n")),
  ];
  return paths
    .filter((path): path is string => typeof path === "string")
    .map((path) => posix.normalize(posix.join(dir, path)));
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

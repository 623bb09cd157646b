import type { PullRequest } from "../forge/forge.js";
import { findWorkloads } from "../onboarding/find-workloads.js";
import { ONBOARDING_TITLE, onboardingBody } from "../onboarding/onboarding-body.js";
import { STARTER_CONFIG_PATH, starterFiles, type StarterFiles } from "../onboarding/starter-files.js";
import { invalidStarterFile } from "../onboarding/validate-starter.js";
import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";

/** The onboarding PR's branch. Predictable, so one that Remedy did not write is refused, never adopted. */
export const ONBOARDING_BRANCH = "remedy/onboarding";

/** More YAML files than this and the repository is not read for an onboarding PR (`remedy init` still works). */
export const MAX_ONBOARDING_YAML_FILES = 400;
/** A YAML file larger than this is not read (findWorkloads would skip it anyway). */
export const MAX_ONBOARDING_FILE_BYTES = 256 * 1024;
/** All the YAML read for one onboarding PR stays under this. */
export const MAX_ONBOARDING_READ_BYTES = 16 * 1024 * 1024;

export type OnboardingResult =
  | { status: "opened"; pr: number; files: string[] }
  | { status: "open"; pr: number }
  | { status: "configured" }
  | { status: "merged"; pr: number }
  | { status: "declined"; pr: number }
  | { status: "paused"; reason: string }
  | { status: "nothing-found" }
  | { status: "too-many-files"; detail: string }
  | { status: "refused"; reason: string };

/**
 * The onboarding PR (SPEC §7, §1 invariant 1's one exception): on a repository without
 * `.github/remedy.yml` on its default branch, one PR "Configure Remedy" that only adds the files
 * `remedy init` writes. At most one per repository, ever: an open one is left alone, a merged one is
 * done, and one closed unmerged means "no" (recorded once as `onboarding.declined`). Repositories
 * with no Helm or Kustomize workload, or too many files to read, get nothing: an App installed on a
 * whole organisation must not open a PR in every repository that is not a GitOps checkout.
 */
export async function onboardRepository(deps: FlowDeps): Promise<OnboardingResult> {
  // REMEDY_MODE=off|dry-run: nothing is written, not even the ledger of a repository not yet using Remedy.
  if (deps.appMode !== undefined) return { status: "paused", reason: `REMEDY_MODE=${deps.appMode}` };
  const base = await deps.forge.defaultBranch();
  const baseSha = await deps.forge.branchHead(base);
  if (baseSha === null) return { status: "nothing-found" };
  if ((await deps.forge.readFile(STARTER_CONFIG_PATH, baseSha)) !== null) return { status: "configured" };
  const earlier = await earlierOnboarding(deps);
  if (earlier !== null) return earlier;
  const read = await starterFor(deps, baseSha);
  if ("status" in read) return read;
  const headSha = await prepareBranch(deps, baseSha, read.files);
  if (typeof headSha !== "string") return headSha;
  const added = await addFiles(deps, headSha, read.files);
  const kept = read.starter.files
    .map((f) => f.path)
    .filter((path) => !read.files.some((f) => f.path === path));
  const pr = await deps.forge.openPullRequest({
    head: ONBOARDING_BRANCH,
    base,
    title: ONBOARDING_TITLE,
    body: onboardingBody(read.starter, added, kept, ONBOARDING_BRANCH),
  });
  await auditSteps(deps, [
    {
      kind: "onboarding.opened",
      incident: null,
      pr: pr.number,
      sha: baseSha,
      actor: "remedy",
      data: { branch: ONBOARDING_BRANCH, files: added, kept, services: Object.keys(read.starter.services) },
    },
  ]);
  deps.log.info({ pr: pr.number, files: added }, "onboarding PR opened");
  return { status: "opened", pr: pr.number, files: added };
}

/** What an earlier onboarding PR decided; null when there is none. A closed one is recorded once as a "no". */
async function earlierOnboarding(deps: FlowDeps): Promise<OnboardingResult | null> {
  const pr = await deps.forge.findPullRequest(ONBOARDING_BRANCH);
  if (pr === null) return null;
  if (pr.author !== deps.botLogin)
    return refuse(
      deps,
      `pull request #${pr.number} from ${ONBOARDING_BRANCH} is by @${pr.author}, not by Remedy`,
    );
  if (pr.state === "open") return { status: "open", pr: pr.number };
  if (pr.merged) return { status: "merged", pr: pr.number };
  await recordDeclined(deps, pr);
  return { status: "declined", pr: pr.number };
}

async function recordDeclined(deps: FlowDeps, pr: PullRequest): Promise<void> {
  const entries = await deps.audit.entries().catch(() => []);
  if (entries.some((e) => e.kind === "onboarding.declined" && e.pr === pr.number)) return;
  await auditSteps(deps, [
    {
      kind: "onboarding.declined",
      incident: null,
      pr: pr.number,
      actor: "remedy",
      data: { branch: pr.head },
    },
  ]);
}

type StarterRead = { starter: StarterFiles; files: StarterFiles["files"] } | OnboardingResult;

/** The starter files for the workloads in the base commit's tree, without those the base already has. */
async function starterFor(deps: FlowDeps, baseSha: string): Promise<StarterRead> {
  const tree = await deps.forge.listTree(baseSha);
  const yaml = tree.paths.filter((path) => /\.ya?ml$/.test(path));
  if (tree.truncated || yaml.length > MAX_ONBOARDING_YAML_FILES) {
    const detail = tree.truncated
      ? "GitHub cut the file listing short"
      : `${yaml.length} YAML files (more than ${MAX_ONBOARDING_YAML_FILES})`;
    deps.log.info({ detail }, "onboarding skipped: too many files");
    return { status: "too-many-files", detail };
  }
  const texts: Record<string, string> = {};
  let read = 0;
  for (const path of yaml) {
    // A file findWorkloads would skip is never fetched (a generated bundle, a data dump), and the
    // whole read is bounded when the forge does not list sizes.
    if ((tree.sizes?.get(path) ?? 0) > MAX_ONBOARDING_FILE_BYTES) continue;
    const text = await deps.forge.readFile(path, baseSha);
    if (text === null) continue;
    read += text.length;
    if (read > MAX_ONBOARDING_READ_BYTES) {
      const detail = `more than ${MAX_ONBOARDING_READ_BYTES} bytes of YAML to read`;
      deps.log.info({ detail }, "onboarding skipped: too many files");
      return { status: "too-many-files", detail };
    }
    texts[path] = text;
  }
  const found = findWorkloads(texts);
  if (found.length === 0) return { status: "nothing-found" };
  const starter = starterFiles(found);
  const invalid = invalidStarterFile(starter.files);
  if (invalid !== null) throw new Error(`the starter ${invalid.path} does not validate: ${invalid.problem}`);
  const taken = new Set(tree.paths);
  // A path in use, or a folder on the way that is a file or a symbolic link: never written over.
  const free = (path: string) => !taken.has(path) && !folders(path).some((folder) => taken.has(folder));
  return { starter, files: starter.files.filter((f) => free(f.path)) };
}

function folders(path: string): string[] {
  const parts = path.split("/").slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
}

/** The onboarding branch's head: created at the base, or an existing one Remedy itself wrote. */
async function prepareBranch(
  deps: FlowDeps,
  baseSha: string,
  files: StarterFiles["files"],
): Promise<string | OnboardingResult> {
  if ((await deps.forge.createBranch(ONBOARDING_BRANCH, baseSha)) === "created") return baseSha;
  const headSha = await deps.forge.branchHead(ONBOARDING_BRANCH);
  if (headSha === null) throw new Error(`${ONBOARDING_BRANCH} exists but has no head; retrying`);
  if (headSha === baseSha) return headSha;
  const comparison = await deps.forge.compare(baseSha, headSha);
  const strangers = comparison.commits.filter((c) => c.author !== deps.botLogin);
  const starter = new Map(files.map((f) => [f.path, f.text]));
  const others = comparison.files.filter((path) => !starter.has(path));
  // A commit's author is the login GitHub matches to the e-mail the pusher chose, so a commit can
  // claim to be Remedy's: each starter path the branch holds must also be, byte for byte, the starter
  // Remedy writes. Every one is read, changed or not: a branch left at an older commit of the base
  // holds files the base has since dropped, which no comparison lists.
  const texts = await Promise.all(files.map((f) => deps.forge.readFile(f.path, headSha)));
  const altered = files
    .filter(
      (f, i) => (texts[i] ?? null) !== f.text && (texts[i] !== null || comparison.files.includes(f.path)),
    )
    .map((f) => f.path);
  if (comparison.truncated || strangers.length > 0 || others.length > 0 || altered.length > 0)
    return refuse(
      deps,
      `branch ${ONBOARDING_BRANCH} already exists and Remedy did not write it` +
        (strangers.length > 0
          ? ` (commits by ${[...new Set(strangers.map((c) => c.author ?? "an unknown author"))].join(", ")})`
          : "") +
        (others.length > 0 ? ` (it changes ${others.join(", ")})` : "") +
        (altered.length > 0 ? ` (${altered.join(", ")} is not the starter Remedy writes)` : ""),
    );
  return headSha;
}

/** Commits each starter file the branch does not have yet, one commit each; returns the paths added. */
async function addFiles(deps: FlowDeps, headSha: string, files: StarterFiles["files"]): Promise<string[]> {
  let head = headSha;
  for (const { path, text } of files) {
    if ((await deps.forge.readFile(path, head)) !== null) continue;
    const result = await deps.forge.commitFile({
      branch: ONBOARDING_BRANCH,
      expectedHeadSha: head,
      path,
      content: text,
      message: `Configure Remedy: add ${path}`,
    });
    if (!result.ok) throw new Error(`${ONBOARDING_BRANCH} moved while Remedy was adding ${path}; retrying`);
    head = result.sha;
  }
  return files.map((f) => f.path);
}

async function refuse(deps: FlowDeps, reason: string): Promise<OnboardingResult> {
  deps.log.warn({ branch: ONBOARDING_BRANCH, reason }, "onboarding refused");
  await auditSteps(deps, [
    { kind: "branch.refused", incident: null, actor: "remedy", data: { branch: ONBOARDING_BRANCH, reason } },
  ]);
  return { status: "refused", reason };
}

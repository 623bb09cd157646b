import type { Comparison, Forge } from "../forge/forge.js";
import { compareBranchEdit, type BranchEdit } from "../manifests/index.js";
import type { Plan } from "../proposal/plan.js";
import type { FlowDeps } from "./deps.js";

/**
 * Whether Remedy may build on an existing branch: every commit on it since the base is Remedy's own
 * (its App identity wrote it), and together they are nothing but the planned field edit, or nothing
 * yet. Returns null when it may, else what is wrong with the branch. Branch names are predictable, so
 * a `remedy/…` branch someone pushed in advance must never become Remedy's PR (SPEC §1 invariant 6).
 */
export async function vouchForBranch(
  deps: FlowDeps,
  plan: Plan,
  baseSha: string,
  headSha: string,
): Promise<string | null> {
  if (headSha === baseSha) return null;
  const comparison = await deps.forge.compare(baseSha, headSha);
  if (comparison.truncated) return `it ${UNCHECKABLE}`;
  const strangers = othersOnBranch(comparison, deps.botLogin);
  const problems: string[] = [];
  if (strangers.length > 0)
    problems.push(`it has commits by ${strangers.map((a) => `@${a}`).join(", ")}, not by Remedy's App`);
  const { edit } = await readBranchEdit(deps.forge, plan, comparison.files, baseSha, headSha);
  if (edit.kind === "invalid") problems.push(...edit.problems);
  if (edit.kind === "edit" && edit.value !== plan.after)
    problems.push(`it sets the ${plan.field} to \`${edit.value}\`, not the planned \`${plan.after}\``);
  return problems.length === 0 ? null : problems.join("; ");
}

/** Why a branch GitHub lists only in part is never vouched for. */
export const UNCHECKABLE = "holds more commits or files than GitHub lists, so it cannot be checked";

/** People (not Remedy's App) whose commits are on the branch, oldest first; "an unknown author" when GitHub names none. */
export function othersOnBranch(comparison: Comparison, botLogin: string): string[] {
  return [
    ...new Set(comparison.commits.map((c) => c.author ?? "an unknown author").filter((a) => a !== botLogin)),
  ];
}

/** The planned file at both ends of a branch and what the branch does to the planned field. */
export async function readBranchEdit(
  forge: Forge,
  plan: Plan,
  changedFiles: readonly string[],
  baseSha: string,
  headSha: string,
): Promise<{ edit: BranchEdit; baseText: string | null; headText: string | null }> {
  const [baseText, headText] = await Promise.all([
    forge.readFile(plan.target.file, baseSha),
    forge.readFile(plan.target.file, headSha),
  ]);
  const edit = compareBranchEdit({
    target: plan.target,
    field: plan.field,
    changedFiles,
    baseText,
    headText,
  });
  return { edit, baseText, headText };
}

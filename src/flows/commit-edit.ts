import { editField, readField } from "../manifests/index.js";
import type { Plan } from "../proposal/plan.js";
import type { FlowDeps } from "./deps.js";
import { vouchForBranch } from "./vouch-for-branch.js";

export type CommitEditResult = { sha: string } | { blocked: string; moved?: true } | { refused: string };

export interface EditToCommit {
  plan: Plan;
  branch: string;
  base: string;
  /** The base as planned: the branch started here. */
  baseSha: string;
  /** Asked once, after the branch is vouched for and before anything is committed. */
  message: () => Promise<string>;
  attempts: number;
  /** What was read as the branch was taken; null: read it (the base: not checked on the first attempt). */
  first: { base: string | null; head: string | null };
}

/**
 * Commits the one-field edit, compare-and-swap on the branch head. If the branch moved (another
 * replica got there), re-read and recompute; if the value on the base changed under us, stop.
 */
export async function commitEdit(deps: FlowDeps, edit: EditToCommit): Promise<CommitEditResult> {
  const { forge } = deps;
  const { plan, branch } = edit;
  let message: string | undefined;
  for (let attempt = 1; attempt <= edit.attempts; attempt++) {
    // The first attempt uses what was read as the lock was taken; after a lost compare-and-swap
    // both the base and the branch are read again.
    const baseNow = attempt === 1 ? edit.first.base : await forge.branchHead(edit.base);
    const moved = await baseMovedWhileCommitting(deps, edit, baseNow);
    if (moved !== null) return { blocked: moved };
    const head = attempt === 1 && edit.first.head !== null ? edit.first.head : await forge.branchHead(branch);
    if (head === null) throw new Error(`branch ${branch} vanished while committing`);
    // Anything already on the branch must be Remedy's own planned edit before Remedy builds on it.
    if (head !== edit.baseSha) {
      const refusal = await vouchForBranch(deps, plan, edit.baseSha, head);
      if (refusal !== null) return { refused: refusal };
    }
    message ??= await edit.message();
    const text = await forge.readFile(plan.target.file, head);
    if (text === null)
      return { blocked: `${plan.target.file} no longer exists on ${branch}; nothing was committed.` };
    const current = readField(text, plan.target, plan.field);
    if (current.ok && current.value === plan.after && head !== edit.baseSha) return { sha: head };
    if (!current.ok || current.value !== plan.before) {
      return {
        blocked: `The ${plan.field} in \`${plan.target.file}\` is now ${current.ok ? `\`${current.value}\`` : "unreadable"}, not \`${plan.before}\` as planned: someone already changed it. Remedy stopped without opening a PR; comment \`/diagnose\` to plan again.`,
      };
    }
    const edited = editField(text, plan.target, plan.field, plan.after);
    if (!edited.ok) return { blocked: `Remedy could not edit \`${plan.target.file}\`: ${edited.reason}` };
    const result = await forge.commitFile({
      branch,
      expectedHeadSha: head,
      path: plan.target.file,
      content: edited.text,
      message,
    });
    if (result.ok) return { sha: result.sha };
    deps.log.warn({ incident: plan.incident, branch, attempt }, "branch moved during commit; retrying");
  }
  return {
    moved: true,
    blocked: `The branch ${branch} kept moving while Remedy committed (${edit.attempts} attempts); nothing was opened. Comment \`/propose\` to try again.`,
  };
}

/** A refusal when the base moved since planning and the planned field no longer holds `before`. */
async function baseMovedWhileCommitting(
  deps: FlowDeps,
  edit: EditToCommit,
  baseNow: string | null,
): Promise<string | null> {
  const { plan } = edit;
  const now = await fieldMovedOnBase(deps, plan, edit.baseSha, baseNow);
  if (now === null) return null;
  return `While Remedy was committing, \`${edit.base}\` moved and the ${plan.field} in \`${plan.target.file}\` is now ${now}, not \`${plan.before}\`: a human already changed it. Remedy stopped; comment \`/diagnose\` to plan again.`;
}

/**
 * The planned field on a base that moved since planning, when it no longer holds `before` (quoted,
 * or "unreadable"); null when the base did not move or the field is as planned.
 */
export async function fieldMovedOnBase(
  deps: FlowDeps,
  plan: Plan,
  baseSha: string,
  baseNow: string | null,
): Promise<string | null> {
  if (baseNow === null || baseNow === baseSha) return null;
  const onBase = await deps.forge.readFile(plan.target.file, baseNow);
  const value = onBase === null ? null : readField(onBase, plan.target, plan.field);
  if (value !== null && value.ok && value.value === plan.before) return null;
  return value?.ok ? `\`${value.value}\`` : "unreadable";
}

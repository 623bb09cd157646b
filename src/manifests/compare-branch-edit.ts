import { editField } from "./edit-field.js";
import { readField } from "./read-field.js";
import type { Field, ManifestTarget } from "./types.js";

export interface BranchEditInput {
  target: ManifestTarget;
  field: Field;
  /** Every path the branch changes against its base. */
  changedFiles: readonly string[];
  /** The target file on the base and on the branch (null: absent). */
  baseText: string | null;
  headText: string | null;
}

export type BranchEdit =
  /** The branch changes nothing: it is still at (or behind) its base. */
  | { kind: "unchanged" }
  /** Exactly one edit of the one field: what Remedy itself would have written for this value. */
  | { kind: "edit"; before: string; value: string }
  | { kind: "invalid"; problems: string[] };

/**
 * What a branch really changes, judged from the files alone: it is "the one planned field edit" only
 * when it touches no other path and its text of the target file is byte for byte what Remedy's own
 * editor makes of the base with the branch's value. Anything more (another key in the same file, a
 * reformatted line, a second file) is listed, so the check run can say what to remove.
 */
export function compareBranchEdit(input: BranchEditInput): BranchEdit {
  const { target, field } = input;
  const problems: string[] = [];
  const others = input.changedFiles.filter((path) => path !== target.file);
  if (others.length > 0)
    problems.push(
      `it changes ${others.length === 1 ? "a file" : `${others.length} files`} besides \`${target.file}\`: ${others
        .slice(0, 20)
        .map((p) => `\`${p}\``)
        .join(", ")}${others.length > 20 ? ", …" : ""}`,
    );
  if (!input.changedFiles.includes(target.file)) {
    return problems.length === 0 ? { kind: "unchanged" } : { kind: "invalid", problems };
  }
  if (input.baseText === null || input.headText === null) {
    problems.push(
      input.headText === null
        ? `it deletes \`${target.file}\``
        : `\`${target.file}\` does not exist on the base branch`,
    );
    return { kind: "invalid", problems };
  }
  const before = readField(input.baseText, target, field);
  const after = readField(input.headText, target, field);
  if (!before.ok) {
    problems.push(`the ${field} in \`${target.file}\` on the base cannot be read: ${before.reason}`);
    return { kind: "invalid", problems };
  }
  if (!after.ok) {
    problems.push(`the ${field} in \`${target.file}\` on the branch cannot be read: ${after.reason}`);
    return { kind: "invalid", problems };
  }
  const remade = before.value === after.value ? null : editField(input.baseText, target, field, after.value);
  if (remade === null || !remade.ok || remade.text !== input.headText) {
    problems.push(
      before.value === after.value
        ? `it changes \`${target.file}\` but not its ${field}`
        : `it changes more in \`${target.file}\` than the ${field} (${before.value} → ${after.value})`,
    );
  }
  return problems.length === 0
    ? { kind: "edit", before: before.value, value: after.value }
    : { kind: "invalid", problems };
}

import { formatPath } from "./yaml.js";
import type { PathStep, ScalarRef, YamlDoc } from "./yaml.js";
import { refuse } from "./refusal.js";
import type { FieldValue, Refusal } from "./types.js";

/** Where a field's scalar is, and what it holds. Shared by readField and editField. */
export interface FieldLocation {
  ydoc: YamlDoc;
  path: PathStep[];
  label: string;
  scalar: ScalarRef;
  form: FieldValue["form"];
  /** The value as read: a count in canonical digits, or a tag/digest exactly as written. */
  value: string;
}

/** A Kustomize replicas entry that does not exist yet and may be appended by editField. */
export interface ReplicasEntryToAdd {
  ydoc: YamlDoc;
  /** True when `replicas:` exists and only the entry for the workload is absent. */
  listExists: boolean;
}

export type Located = { ok: true; at: FieldLocation } | (Refusal & { add?: ReplicasEntryToAdd });

export function locatedCount(file: string, ydoc: YamlDoc, path: PathStep[], scalar: ScalarRef): Located {
  const label = formatPath(path);
  const value = countText(scalar);
  if (value === undefined) {
    return refuse(
      "invalid-value",
      `${file}: ${label} is ${scalar.raw}, which is not a replica count; expected a non-negative integer.`,
    );
  }
  return { ok: true, at: { ydoc, path, label, scalar, form: "count", value } };
}

export function locatedPin(
  ydoc: YamlDoc,
  path: PathStep[],
  scalar: ScalarRef,
  form: "tag" | "digest",
): Located {
  return { ok: true, at: { ydoc, path, label: formatPath(path), scalar, form, value: pinText(scalar) } };
}

function countText(scalar: ScalarRef): string | undefined {
  if (typeof scalar.value === "number" && Number.isSafeInteger(scalar.value) && scalar.value >= 0)
    return String(scalar.value);
  // A quoted "3" still renders as 3 in a template; accept it so it can be corrected to a plain integer.
  if (typeof scalar.value === "string" && /^(0|[1-9][0-9]*)$/.test(scalar.value)) return scalar.value;
  return undefined;
}

// A plain `1.10` is typed as the number 1.1 by YAML; the text is what the author meant as a tag.
function pinText(scalar: ScalarRef): string {
  return typeof scalar.value === "string" ? scalar.value : scalar.source;
}

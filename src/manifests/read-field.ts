import { locateField } from "./locate-field.js";
import { readRestart } from "./restart-annotation.js";
import type { Field, ManifestTarget, ReadResult } from "./types.js";

/**
 * Reads the current replicas count or image pin of a target (or its restart annotation, "" when unset). For a Kustomize overlay without a
 * replicas entry this is `missing`; the count in force then comes from `readReplicasFallback`.
 */
export function readField(text: string, target: ManifestTarget, field: Field): ReadResult {
  if (field === "restart") return readRestart(text, target);
  const located = locateField(text, target, field);
  if (!located.ok) return { ok: false, code: located.code, reason: located.reason };
  const { value, form, scalar } = located.at;
  return { ok: true, value, form, line: scalar.line };
}

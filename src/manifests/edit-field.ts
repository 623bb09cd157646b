import { appendReplicasEntry } from "./append-replicas-entry.js";
import { checkEdit } from "./check-edit.js";
import { helmAutoscaling } from "./helm-autoscaling.js";
import { isValidDigest } from "./is-valid-digest.js";
import { isValidReplicaCount } from "./is-valid-replica-count.js";
import { isValidTag } from "./is-valid-tag.js";
import { locateField } from "./locate-field.js";
import type { FieldLocation, ReplicasEntryToAdd } from "./located.js";
import { refuse } from "./refusal.js";
import { editRestart } from "./restart-annotation.js";
import { selectDocument } from "./select-document.js";
import { renderString, splice } from "./yaml.js";
import type { EditResult, Field, ManifestTarget, Refusal } from "./types.js";

/**
 * Changes one field to `value` by splicing the new scalar into the original text, so comments,
 * quoting, key order, indentation and flow style stay byte for byte. The result is re-read and
 * refused unless only the target line changed and the field reads back as `value`.
 *
 * Pure: HPA detection here covers Helm's `autoscaling.enabled` only; for Kustomize the caller asks
 * `findHpa`, which needs to read the overlay's resources.
 */
export function editField(text: string, target: ManifestTarget, field: Field, value: string): EditResult {
  if (field === "restart") return editRestart(text, target, value);
  if (target.kind === "helm" && field === "replicas") {
    const selected = selectDocument(text, target);
    if (!selected.ok) return selected;
    const hpa = helmAutoscaling(text, target.replicasKey);
    if (hpa.error !== undefined) {
      return refuse(
        "parse-error",
        `${target.file}: autoscaling could not be checked (${hpa.error}), so replicas are not edited.`,
      );
    }
    if (hpa.enabled) {
      return refuse(
        "hpa",
        `${target.file}: ${hpa.key} is on, so a HorizontalPodAutoscaler owns the replica count and ${target.replicasKey} is not used; change the autoscaling min/max replicas instead.`,
      );
    }
  }

  const located = locateField(text, target, field);
  if (!located.ok) {
    if (located.add !== undefined && field === "replicas") return addEntry(text, target, located.add, value);
    return refuse(located.code, located.reason);
  }
  const at = located.at;
  const invalid = checkValue(target.file, at, value);
  if (invalid !== undefined) return invalid;
  if (value === at.value)
    return refuse("unchanged", `${target.file}: ${at.label} is already ${value}; nothing to change.`);

  const { scalar } = at;
  if (scalar.style === "block" || scalar.raw.includes("\n")) {
    return refuse(
      "invalid-value",
      `${target.file}: ${at.label} is written over several lines; Remedy only edits single-line values. Put it on one line.`,
    );
  }
  // Counts are always plain integers; pins keep the author's quoting unless plain would re-type them.
  const replacement = at.form === "count" ? value : renderString(value, scalar.style);
  const edited = splice(text, scalar.start, scalar.end, replacement);
  const check = checkEdit(
    text,
    edited,
    target,
    field,
    { path: at.path, form: at.form, value },
    { changedLine: scalar.line },
  );
  if (!check.ok) return check;
  return {
    ok: true,
    before: { value: at.value, form: at.form, line: scalar.line },
    after: value,
    text: edited,
  };
}

function checkValue(file: string, at: FieldLocation, value: string): Refusal | undefined {
  const where = `${file}: ${at.label}`;
  switch (at.form) {
    case "count":
      return isValidReplicaCount(value)
        ? undefined
        : refuse(
            "invalid-value",
            `${where}: ${JSON.stringify(value)} is not a replica count; expected a non-negative integer such as 6.`,
          );
    case "digest":
      return isValidDigest(value)
        ? undefined
        : refuse(
            "invalid-value",
            `${where} pins a digest, so the new value must be sha256: and 64 hex digits (got ${JSON.stringify(value)}).`,
          );
    case "tag":
      if (isValidDigest(value)) {
        return refuse(
          "invalid-value",
          `${where} pins a tag, not a digest; switching to a digest pin is a change to make by hand.`,
        );
      }
      return isValidTag(value)
        ? undefined
        : refuse(
            "invalid-value",
            `${where}: ${JSON.stringify(value)} is not a valid image tag; use letters, digits, "_", "." and "-" (at most 128, not starting with "." or "-").`,
          );
  }
}

function addEntry(text: string, target: ManifestTarget, add: ReplicasEntryToAdd, value: string): EditResult {
  if (!isValidReplicaCount(value)) {
    return refuse(
      "invalid-value",
      `${target.file}: ${JSON.stringify(value)} is not a replica count; expected a non-negative integer such as 6.`,
    );
  }
  const appended = appendReplicasEntry(text, target.file, add, target.workload, value);
  if (!appended.ok) return appended;
  const path = ["replicas", { key: "name", equals: target.workload }, "count"];
  const check = checkEdit(
    text,
    appended.text,
    target,
    "replicas",
    { path, form: "count", value },
    {
      addedEntry: { name: target.workload, count: Number(value) },
    },
  );
  if (!check.ok) return check;
  return {
    ok: true,
    before: { value: "", form: "count", line: check.at.scalar.line },
    after: value,
    text: appended.text,
    added: true,
  };
}

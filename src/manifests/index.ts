export type {
  EditResult,
  Field,
  FieldValue,
  ManifestTarget,
  ReadFile,
  ReadResult,
  RefusalCode,
} from "./types.js";
export { readField } from "./read-field.js";
export { editField } from "./edit-field.js";
export { findHpa } from "./find-hpa.js";
export { findBaseReplicas, readReplicasFallback } from "./read-replicas-fallback.js";
export type { BaseReplicas } from "./read-replicas-fallback.js";
export { unifiedDiff } from "./unified-diff.js";
export { isValidTag } from "./is-valid-tag.js";
export { isValidDigest } from "./is-valid-digest.js";
export { isValidReplicaCount } from "./is-valid-replica-count.js";
export { compareBranchEdit, type BranchEdit, type BranchEditInput } from "./compare-branch-edit.js";
export { yaml11NumberTag } from "./yaml11-number-tag.js";
export { DEFAULT_RESTART_KEY, RESTART_ANNOTATION } from "./restart-annotation.js";

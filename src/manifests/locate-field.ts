import { locateHelmField } from "./locate-helm-field.js";
import { locateKustomizeField } from "./locate-kustomize-field.js";
import type { Located } from "./located.js";
import { locateRestart } from "./restart-annotation.js";
import { selectDocument } from "./select-document.js";
import type { Field, ManifestTarget } from "./types.js";

export function locateField(text: string, target: ManifestTarget, field: Field): Located {
  const selected = selectDocument(text, target);
  if (!selected.ok) return selected;
  if (field === "restart") return locateRestart(text, selected.ydoc, target);
  return target.kind === "helm"
    ? locateHelmField(text, selected.ydoc, target, field)
    : locateKustomizeField(text, selected.ydoc, target, field);
}

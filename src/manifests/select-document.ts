import { lookup, parseYaml } from "./yaml.js";
import type { YamlDoc } from "./yaml.js";
import { refuse } from "./refusal.js";
import type { ManifestTarget, Refusal } from "./types.js";

export type SelectedDocument = { ok: true; ydoc: YamlDoc } | Refusal;

/**
 * Values files and kustomization.yaml are single documents. A stream of several is accepted only for
 * Kustomize, and only when exactly one of its documents is `kind: Kustomization`.
 */
export function selectDocument(
  text: string,
  target: Pick<ManifestTarget, "file" | "kind">,
): SelectedDocument {
  const parsed = parseYaml(text);
  if (!parsed.ok) {
    const where = parsed.line === undefined ? target.file : `${target.file}:${parsed.line}`;
    return refuse(
      "parse-error",
      `${where}: is not valid YAML: ${parsed.message}. Fix the file; Remedy does not edit a file it cannot read completely.`,
    );
  }
  const [first, ...rest] = parsed.docs;
  if (first === undefined) return refuse("missing", `${target.file}: the file is empty.`);
  if (rest.length === 0) return { ok: true, ydoc: first };
  if (target.kind === "kustomize") {
    const kustomizations = parsed.docs.filter((ydoc) => {
      const kind = lookup(ydoc, ["kind"], text);
      return kind.found && kind.scalar.value === "Kustomization";
    });
    const only = kustomizations[0];
    if (only !== undefined && kustomizations.length === 1) return { ok: true, ydoc: only };
  }
  return refuse(
    "multi-document",
    target.kind === "kustomize"
      ? `${target.file}: has ${parsed.docs.length} documents and not exactly one of them is kind: Kustomization; Remedy cannot tell which to edit.`
      : `${target.file}: has ${parsed.docs.length} YAML documents; a Helm values file must be a single document.`,
  );
}

import { eolAt, listLayout, renderString, rootLayout, splice } from "./yaml.js";
import type { ReplicasEntryToAdd } from "./located.js";
import { refuse } from "./refusal.js";
import type { Refusal } from "./types.js";

/**
 * Adds `{name: workload, count}` to a kustomization: at the end of the existing `replicas:` list, in
 * the style of its last item, or as a new `replicas:` block at the end of the document, indented like
 * the file's other lists. Only lines are added; nothing existing is rewritten.
 */
export function appendReplicasEntry(
  text: string,
  file: string,
  add: ReplicasEntryToAdd,
  workload: string,
  count: string,
): { ok: true; text: string } | Refusal {
  const name = renderString(workload, "plain");
  if (add.listExists) {
    const layout = listLayout(add.ydoc, ["replicas"], text);
    if (layout.kind === "unsupported") {
      return refuse(
        "missing",
        `${file}: replicas has no entry for ${workload} and ${layout.why}; add the entry by hand.`,
      );
    }
    const eol = eolAt(text, layout.insertAt);
    const inner = " ".repeat(layout.dashIndent.length + 1 + layout.gap.length);
    const lines =
      layout.flowItems === undefined
        ? [`${layout.dashIndent}-${layout.gap}name: ${name}`, `${inner}count: ${count}`]
        : [
            `${layout.dashIndent}-${layout.gap}{${layout.flowItems}name: ${name}, count: ${count}${layout.flowItems}}`,
          ];
    return { ok: true, text: splice(text, layout.insertAt, layout.insertAt, eol + lines.join(eol)) };
  }

  const layout = rootLayout(add.ydoc, text);
  if (layout.kind === "unsupported") {
    return refuse("missing", `${file}: has no replicas: list and ${layout.why}; add the entry by hand.`);
  }
  const eol = eolAt(text, layout.insertAt);
  const indent = layout.keyIndent + layout.listIndent;
  const lines = [`${layout.keyIndent}replicas:`, `${indent}- name: ${name}`, `${indent}  count: ${count}`];
  if (!layout.atEndOfText)
    return { ok: true, text: splice(text, layout.insertAt, layout.insertAt, eol + lines.join(eol)) };
  const separator = text === "" || text.endsWith("\n") ? "" : eol;
  return { ok: true, text: text + separator + lines.join(eol) + eol };
}

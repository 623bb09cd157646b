import { helmAutoscaling } from "./helm-autoscaling.js";
import type { ManifestTarget, ReadFile } from "./types.js";
import { walkKustomization } from "./walk-kustomization.js";

// A KEDA ScaledObject creates and owns an HPA for its target, so it counts as one.
const AUTOSCALER_KINDS = new Set(["HorizontalPodAutoscaler", "ScaledObject"]);

/**
 * Whether the workload's replicas are owned by an autoscaler, so editing them would fight it.
 * Helm: `autoscaling.enabled` in the values file (see helmAutoscaling). Kustomize: a
 * HorizontalPodAutoscaler (or KEDA ScaledObject) whose `spec.scaleTargetRef.name` is the workload,
 * anywhere in what the overlay builds from.
 *
 * `reason` says why when managed. When not managed it is set only if something could not be checked
 * (remote or unreadable resources), and `unchecked` then lists each such place as a sentence for the
 * packet's Uncertainties: an HPA there would go unnoticed.
 */
export async function findHpa(
  target: ManifestTarget,
  readFile: ReadFile,
): Promise<{ managed: boolean; reason?: string; unchecked?: string[] }> {
  if (target.kind === "helm") {
    const text = await readFile(target.file);
    if (text === null)
      return { managed: false, reason: `${target.file} could not be read, so autoscaling was not checked` };
    const hpa = helmAutoscaling(text, target.replicasKey);
    if (hpa.error !== undefined) {
      return {
        managed: false,
        reason: `${target.file} is not valid YAML (${hpa.error}), so autoscaling was not checked`,
      };
    }
    return hpa.enabled ? { managed: true, reason: `${target.file}: ${hpa.key} is on` } : { managed: false };
  }

  const found: string[] = [];
  const notes = await walkKustomization(target.file, readFile, {
    document({ file, data }) {
      const object = data as {
        kind?: unknown;
        metadata?: { name?: unknown };
        spec?: { scaleTargetRef?: { name?: unknown } };
      } | null;
      if (object === null || typeof object !== "object" || typeof object.kind !== "string") return;
      if (!AUTOSCALER_KINDS.has(object.kind) || object.spec?.scaleTargetRef?.name !== target.workload) return;
      const name = typeof object.metadata?.name === "string" ? ` ${object.metadata.name}` : "";
      found.push(`${file}: ${object.kind}${name} targets ${target.workload}`);
    },
  });
  if (found.length > 0) return { managed: true, reason: found.join("; ") };
  return notes.length > 0
    ? {
        managed: false,
        reason: `not checked: ${notes.join("; ")}`,
        unchecked: notes.map((note) => `${note} (an HPA there would go unnoticed)`),
      }
    : { managed: false };
}

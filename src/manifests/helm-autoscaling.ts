import { readYamlData } from "./yaml.js";

/**
 * Whether a values file turns on the chart's HorizontalPodAutoscaler for the workload whose replicas
 * live at `replicasKey`: `autoscaling.enabled` at the root, or next to any parent of the replicas key
 * (`app.deployment.replicas` → `app.autoscaling.enabled`, `app.deployment.autoscaling.enabled`).
 * Charts render `replicas:` only `if not .Values.autoscaling.enabled`, so Go template truthiness
 * decides, not YAML's: the string "false" is truthy there.
 */
export function helmAutoscaling(
  text: string,
  replicasKey: string,
): { enabled: boolean; key?: string; error?: string } {
  const data = readYamlData(text);
  if (!data.ok) return { enabled: false, error: data.message };
  const parents = replicasKey.split(".").slice(0, -1);
  for (const doc of data.docs) {
    for (let depth = 0; depth <= parents.length; depth++) {
      const path = [...parents.slice(0, depth), "autoscaling", "enabled"];
      if (goTruthy(valueAt(doc, path))) return { enabled: true, key: path.join(".") };
    }
  }
  return { enabled: false };
}

function valueAt(data: unknown, path: string[]): unknown {
  let node = data;
  for (const key of path) {
    if (node === null || typeof node !== "object" || Array.isArray(node) || node instanceof Map)
      return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function goTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

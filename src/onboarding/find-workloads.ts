import { readField } from "../manifests/index.js";
import type { ManifestTarget } from "../manifests/index.js";
import { readYamlData } from "../manifests/yaml.js";

/** A workload Remedy could edit, found in a GitOps checkout by the shape of its files. */
export interface FoundWorkload {
  service: string;
  environment: string;
  kind: "helm" | "kustomize";
  file: string;
  /** Kustomize: the `replicas[].name`; Helm: the service. */
  workload: string;
  /** Kustomize `images[].name`, or Helm `image.repository` beside the tag. */
  image?: string;
  /** Helm dotted keys (nested under a sub-chart's key when found there). */
  replicasKey?: string;
  tagKey?: string;
  replicas: string | null;
  tag: string | null;
  /** Things a person must look at (an HPA owns the replicas, a field Remedy cannot edit…). */
  notes: string[];
}

/** Folders a GitOps checkout keeps for other things; Remedy's own folders are never targets. */
const SKIPPED = /(^|\/)(\.git|\.github|node_modules|runbooks|policies|templates|crds)\//;

const ENVIRONMENT_WORDS: Record<string, string> = {
  prod: "prod",
  production: "prod",
  prd: "prod",
  live: "prod",
  staging: "staging",
  stage: "staging",
  stg: "staging",
  preprod: "staging",
  dev: "dev",
  development: "dev",
  qa: "qa",
  test: "test",
  sandbox: "sandbox",
};

const MAX_FILE_BYTES = 256 * 1024;

/**
 * Finds Helm values files (a `replicaCount` or `image.tag`, at the top or under one sub-chart key)
 * and kustomizations with `replicas:` or `images:` entries, and infers each one's service and
 * environment from its path (`overlays/prod`, `values-staging.yaml`, `clusters/production/…`).
 * Pure: takes the checkout as path → text. Every field listed is one Remedy's editor reads back.
 */
export function findWorkloads(files: Record<string, string>): FoundWorkload[] {
  const found: FoundWorkload[] = [];
  for (const path of Object.keys(files).sort()) {
    if (!/\.ya?ml$/.test(path) || SKIPPED.test(`${path}`) || /(^|\/)Chart\.ya?ml$/.test(path)) continue;
    const text = files[path] as string;
    if (text.length > MAX_FILE_BYTES) continue;
    const read = readYamlData(text);
    if (!read.ok || read.docs.length !== 1) continue;
    const data = read.docs[0];
    if (!isMap(data)) continue;
    if (/(^|\/)kustomization\.ya?ml$/.test(path)) found.push(...kustomizeWorkloads(path, text, data));
    else if (!("apiVersion" in data) && !("kind" in data)) found.push(...helmWorkloads(path, text, data));
  }
  return dropChartDefaults(found);
}

function kustomizeWorkloads(path: string, text: string, data: Record<string, unknown>): FoundWorkload[] {
  const names = new Set<string>();
  for (const entry of Array.isArray(data.replicas) ? data.replicas : [])
    if (isMap(entry) && typeof entry.name === "string") names.add(entry.name);
  const images = (Array.isArray(data.images) ? data.images : []).filter(
    (entry): entry is Record<string, unknown> => isMap(entry) && typeof entry.name === "string",
  );
  if (names.size === 0 && images.length === 1) names.add(lastSegment(images[0]?.name as string));
  const out: FoundWorkload[] = [];
  for (const workload of names) {
    const image = images.length === 1 ? (images[0]?.name as string) : imageFor(workload, images);
    const target: ManifestTarget = {
      kind: "kustomize",
      file: path,
      workload,
      ...(image === undefined ? {} : { image }),
      replicasKey: "replicaCount",
      tagKey: "image.tag",
    };
    const replicas = readField(text, target, "replicas");
    const tag = image === undefined ? null : readField(text, target, "image");
    const notes: string[] = [];
    if (!replicas.ok) notes.push(`replicas: ${replicas.reason}`);
    if (tag !== null && !tag.ok) notes.push(`image: ${tag.reason}`);
    if (image === undefined && images.length > 1)
      notes.push(`several images are pinned and none is named like ${workload}: set image: by hand`);
    out.push({
      service: serviceName(workload),
      environment: environmentOf(path) ?? "prod",
      kind: "kustomize",
      file: path,
      workload,
      ...(image === undefined ? {} : { image }),
      replicas: replicas.ok ? replicas.value : null,
      tag: tag?.ok === true ? tag.value : null,
      notes: environmentOf(path) === null ? [...notes, "environment not in the path; assumed prod"] : notes,
    });
  }
  return out.filter((w) => w.replicas !== null || w.tag !== null);
}

function imageFor(workload: string, images: Record<string, unknown>[]): string | undefined {
  const named = images.filter((entry) => lastSegment(entry.name as string) === workload);
  return named.length === 1 ? (named[0]?.name as string) : undefined;
}

function helmWorkloads(path: string, text: string, data: Record<string, unknown>): FoundWorkload[] {
  const out: FoundWorkload[] = [];
  const top = helmShape(data);
  if (top !== null) out.push(helmWorkload(path, text, "", top, chartName(path) ?? "app"));
  else {
    // A sub-chart's (or a nested layout's) values live under one key: `app: { image: { tag: … } }`.
    const nested = Object.entries(data).flatMap(([key, value]) => {
      const shape = isMap(value) && /^[A-Za-z0-9_-]+$/.test(key) ? helmShape(value) : null;
      return shape === null ? [] : [{ key, shape }];
    });
    for (const { key, shape } of nested) {
      // One nested block is the chart itself (named by its folder); several are an umbrella's sub-charts.
      const name = nested.length === 1 ? (chartName(path) ?? key) : key;
      out.push(helmWorkload(path, text, `${key}.`, shape, name));
    }
  }
  return out.filter((w) => w.replicas !== null || w.tag !== null);
}

interface HelmShape {
  /** The replica count's key inside the block: `replicaCount`, `replicas` or `deployment.replicas`. */
  replicasKey: string | null;
  tag: boolean;
  repository: string | undefined;
  autoscaling: boolean;
}

function helmShape(map: Record<string, unknown>): HelmShape | null {
  const deployment = isMap(map.deployment) ? map.deployment : {};
  const replicasKey =
    typeof map.replicaCount === "number"
      ? "replicaCount"
      : typeof map.replicas === "number"
        ? "replicas"
        : typeof deployment.replicas === "number"
          ? "deployment.replicas"
          : null;
  const image = isMap(map.image) ? map.image : null;
  const tag = image !== null && (typeof image.tag === "string" || typeof image.tag === "number");
  if (replicasKey === null && !tag) return null;
  const autoscaling = isMap(map.autoscaling) && map.autoscaling.enabled === true;
  return {
    replicasKey,
    tag,
    repository: typeof image?.repository === "string" ? image.repository : undefined,
    autoscaling,
  };
}

function helmWorkload(
  path: string,
  text: string,
  prefix: string,
  shape: HelmShape,
  name: string,
): FoundWorkload {
  const target: ManifestTarget = {
    kind: "helm",
    file: path,
    workload: name,
    ...(shape.repository === undefined ? {} : { image: shape.repository }),
    replicasKey: `${prefix}${shape.replicasKey ?? "replicaCount"}`,
    tagKey: `${prefix}image.tag`,
  };
  const notes: string[] = [];
  const replicas = shape.replicasKey !== null ? readField(text, target, "replicas") : null;
  const tag = shape.tag ? readField(text, target, "image") : null;
  if (replicas !== null && !replicas.ok) notes.push(`replicas: ${replicas.reason}`);
  if (tag !== null && !tag.ok) notes.push(`image: ${tag.reason}`);
  if (shape.autoscaling)
    notes.push(
      `${prefix}autoscaling.enabled is true: an HPA owns the replicas, so Remedy escalates scale requests`,
    );
  const environment = environmentOf(path);
  if (environment === null) notes.push("environment not in the path; assumed prod");
  return {
    service: serviceName(name),
    environment: environment ?? "prod",
    kind: "helm",
    file: path,
    workload: name,
    ...(shape.repository === undefined ? {} : { image: shape.repository }),
    replicasKey: target.replicasKey,
    tagKey: target.tagKey,
    replicas: replicas?.ok === true ? replicas.value : null,
    tag: tag?.ok === true ? tag.value : null,
    notes,
  };
}

/**
 * A chart's own `values.yaml` holds defaults that the environment files override: when the same
 * service has environment files, the defaults file is not a target.
 */
function dropChartDefaults(found: FoundWorkload[]): FoundWorkload[] {
  const isDefaults = (w: FoundWorkload) => w.kind === "helm" && /(^|\/)values\.ya?ml$/.test(w.file);
  return found.filter(
    (w) => !isDefaults(w) || !found.some((o) => o !== w && o.service === w.service && !isDefaults(o)),
  );
}

/** The environment a path names: `values-staging.yaml`, `overlays/prod/…`, `clusters/production/…`. */
export function environmentOf(path: string): string | null {
  const parts = path
    .toLowerCase()
    .replace(/\.ya?ml$/, "")
    .split(/[/._-]+/);
  for (let i = parts.length - 1; i >= 0; i--) {
    const env = ENVIRONMENT_WORDS[parts[i] as string];
    if (env !== undefined) return env;
  }
  return null;
}

/** The chart a values file belongs to: its folder, or the folder above `values/`; null at the root. */
function chartName(path: string): string | null {
  const generic = ["values", "env", "envs", "environments", "helm", "charts", "chart", "deploy", "manifests"];
  const dirs = path.split("/").slice(0, -1);
  return dirs.filter((d) => !generic.includes(d.toLowerCase()) && environmentOf(d) === null).at(-1) ?? null;
}

function serviceName(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "")
    .slice(0, 63);
  return cleaned === "" ? "app" : cleaned;
}

function lastSegment(image: string): string {
  return image.split("/").at(-1) ?? image;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

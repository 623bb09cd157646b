import { z } from "zod";
import { parseDuration } from "../verification/parse-duration.js";
import { NotifyConfig } from "../notify/notification.js";

/** Names that appear in branch names, labels and PromQL: keep them to a safe alphabet. */
export const Name = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/, "must be lower-case letters, digits, '.', '_' or '-'");

const RepoPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), "must be a path inside the repository");

/** A manifest Remedy may edit: a YAML file, never one of the files that govern Remedy itself (below). */
const ManifestPath = RepoPath.regex(/\.ya?ml$/, "must be a .yaml or .yml manifest");

const DottedKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, "must be a dotted key like image.tag");

export const EnvironmentTarget = z
  .strictObject({
    kind: z.enum(["kustomize", "helm"]),
    file: ManifestPath,
    /** kustomize: the name in `replicas:` (defaults to the service name); also the Deployment's name. */
    workload: z.string().optional(),
    /** kustomize: `images[].name`; helm: checked against `image.repository`. */
    image: z.string().optional(),
    replicas_key: DottedKey.default("replicaCount"),
    tag_key: DottedKey.default("image.tag"),
    /** helm: the pod annotations map a `restart` sets remedy.dev/restarted-at in. */
    restart_key: DottedKey.default("podAnnotations"),
    /** Kubernetes namespace of the workload, for the `rollout` check. */
    namespace: z.string().optional(),
    /** Argo CD Application that deploys this target, for the `rollout` check. */
    argocd_app: z.string().optional(),
  })
  .describe("Where one service's environment is declared in this repository");
export type EnvironmentTarget = z.infer<typeof EnvironmentTarget>;

export const Service = z.strictObject({
  owners: z
    .array(z.string().regex(/^@[A-Za-z0-9][A-Za-z0-9-]*(\/[A-Za-z0-9._-]+)?$/, "must be @user or @org/team"))
    .default([]),
  aliases: z.array(z.string().min(1)).default([]),
  environments: z
    .record(Name, EnvironmentTarget)
    .refine((envs) => Object.keys(envs).length > 0, "must name at least one environment"),
});
export type Service = z.infer<typeof Service>;

const Url = z.url({ protocol: /^https?$/ });

export const HealthConfig = z.strictObject({
  /** Prometheus base URL, or an object with a bearer token read from an environment variable. */
  prometheus: z
    .union([
      Url,
      z.strictObject({ url: Url, token_env: z.string().optional(), timeout: z.string().default("10s") }),
    ])
    .optional(),
  kubernetes: z
    .strictObject({
      api_url: Url,
      token_env: z.string().default("REMEDY_KUBE_TOKEN"),
      ca_file: z.string().optional(),
    })
    .optional(),
  argocd: z
    .strictObject({
      url: Url,
      token_env: z.string().default("REMEDY_ARGOCD_TOKEN"),
    })
    .optional(),
});
export type HealthConfig = z.infer<typeof HealthConfig>;

export const ModelConfig = z.strictObject({
  /** Model name, e.g. gpt-4o-mini, or whatever an OpenAI-compatible server calls it. */
  name: z.string().min(1),
  base_url: Url.optional(),
  /** The environment variable that holds the API key (never the key itself). */
  api_key_env: z.string().default("OPENAI_API_KEY"),
  timeout: z.string().default("20s"),
  max_retries: z.number().int().min(0).max(5).default(1),
  max_tokens: z.number().int().positive().max(32_000).default(800),
});
export type ModelConfig = z.infer<typeof ModelConfig>;

export const RepoConfig = z
  .strictObject({
    /**
     * Settings from another repository of the same owner (`.github`, or `repo:path`), followed before
     * this schema validates the merged result (config/resolve-extends.ts); listed so editors accept it.
     */
    _extends: z.string().min(1).optional(),
    /** `off`: Remedy writes nothing in this repository (SPEC §2 "Pause"). */
    mode: z.enum(["propose", "dry-run", "off"]).default("propose"),
    runbooks: RepoPath.default("runbooks/"),
    policies: RepoPath.default("policies/"),
    services: z.record(Name, Service).default({}),
    health: HealthConfig.default({}),
    environments: z
      .record(Name, z.strictObject({ aliases: z.array(z.string().min(1)).default([]) }))
      .default({}),
    model: ModelConfig.optional(),
    /** Slack and generic JSON webhooks for escalations, PRs opened, failed verifications, breaker trips. */
    notify: NotifyConfig.optional(),
    recent_changes: z
      .string()
      .refine(isDuration, "must be a positive Go-style duration like 30m or 24h")
      .default("24h")
      .describe("how far back the packet's recent changes (and their uncertainties) look in git history"),
  })
  .superRefine((config, ctx) => {
    // A service pointed at a workflow, a policy or a runbook would let a plan rewrite the rules
    // that judge it (invariant 1), so such a config is refused as a whole, naming the target.
    const reserved = [".github/", folder(config.runbooks), folder(config.policies)];
    const allowed = `must be a manifest outside ${[...new Set(reserved)].join(", ").replace(/, ([^,]*)$/, " and $1")}`;
    for (const [service, { environments }] of Object.entries(config.services))
      for (const [environment, target] of Object.entries(environments)) {
        const file = normalizedPath(target.file).toLowerCase();
        if (reserved.some((dir) => dir === "/" || file.startsWith(dir.toLowerCase())))
          ctx.addIssue({
            code: "custom",
            path: ["services", service, "environments", environment, "file"],
            message: allowed,
          });
      }
  })
  .describe("Remedy repository configuration (.github/remedy.yml)");
export type RepoConfig = z.infer<typeof RepoConfig>;

/** `./a//b/./c` → `a/b/c`: the same file however the config spells it. */
function normalizedPath(path: string): string {
  return path
    .split("/")
    .filter((part) => part !== "" && part !== ".")
    .join("/");
}

/** A configured folder as a prefix with one trailing slash (`/` when it is the repository root). */
function folder(path: string): string {
  return `${normalizedPath(path)}/`;
}

function isDuration(text: string): boolean {
  try {
    return parseDuration(text) > 0;
  } catch {
    return false;
  }
}

export const CONFIG_PATH = ".github/remedy.yml";

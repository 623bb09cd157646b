import { readFileSync } from "node:fs";
import type { HealthConfig, RepoConfig } from "../config/repo-config.js";
import type { HealthSources } from "../verification/health-source.js";
import type { EvidenceSource } from "../diagnosis/diagnoser.js";
import type { Plan } from "../proposal/plan.js";
import { ArgoCdRolloutSource } from "./argocd/argo-cd-rollout-source.js";
import type { HealthContext, HealthSource, RolloutSource } from "../verification/health-source.js";
import { KubernetesRolloutSource } from "./kubernetes/kubernetes-rollout-source.js";
import type { Sample } from "../verification/observation.js";
import { parseDuration } from "../verification/parse-duration.js";
import { PrometheusHealthSource } from "./prometheus/prometheus-health-source.js";
import type { CheckSpec } from "../verification/verify-spec.js";

const NO_PROMETHEUS = "no Prometheus configured in .github/remedy.yml (health.prometheus)";

/**
 * The health sources `.github/remedy.yml` describes for one plan. URLs come from the config, tokens
 * only from the environment variables it names, so the repository never holds a secret. Missing
 * sources are not an error here: an unread check is no data, which the verdict escalates, never passes.
 */
export function healthFromConfig(config: RepoConfig, plan: Plan, env: NodeJS.ProcessEnv): HealthSources {
  const prometheus = prometheusFrom(config.health, env);
  const rollout = rolloutFrom(config.health, plan, env);
  return { health: prometheus ?? noPrometheus, ...(rollout === undefined ? {} : { rollout }) };
}

/** Evidence for the packet: the same Prometheus, one instant query now. */
export function evidenceFromConfig(config: RepoConfig, env: NodeJS.ProcessEnv): EvidenceSource | undefined {
  const prometheus = prometheusFrom(config.health, env);
  if (prometheus === undefined) return undefined;
  return async (name, query) => {
    const ctx: HealthContext = {
      service: "",
      environment: "",
      workload: "",
      mergeSha: "",
      at: new Date().toISOString(),
    };
    const sample = await prometheus.sample({ name, query }, ctx);
    return sample.value === null
      ? { value: null, reason: sample.reason ?? "no data" }
      : { value: sample.value };
  };
}

const noPrometheus: HealthSource = {
  async sample(check: CheckSpec): Promise<Sample> {
    return { name: check.name, value: null, reason: NO_PROMETHEUS };
  },
};

function prometheusFrom(health: HealthConfig, env: NodeJS.ProcessEnv): PrometheusHealthSource | undefined {
  const setting = health.prometheus;
  if (setting === undefined) return undefined;
  if (typeof setting === "string") return new PrometheusHealthSource({ url: setting });
  const token = tokenFrom(env, setting.token_env);
  const timeout = timeoutMs(setting.timeout);
  return new PrometheusHealthSource({
    url: setting.url,
    ...(timeout === undefined ? {} : { timeoutMs: timeout }),
    ...(token === undefined ? {} : { token }),
  });
}

function rolloutFrom(health: HealthConfig, plan: Plan, env: NodeJS.ProcessEnv): RolloutSource | undefined {
  const { target } = plan;
  // Argo CD knows which Git revision is deployed, so it is preferred where the target names its app (FACTS §3).
  if (target.argocdApp !== undefined && health.argocd !== undefined) {
    const token = tokenFrom(env, health.argocd.token_env);
    return new ArgoCdRolloutSource({
      url: health.argocd.url,
      application: target.argocdApp,
      ...(token === undefined ? {} : { token }),
    });
  }
  const kube = health.kubernetes;
  if (kube === undefined) return undefined;
  const token = tokenFrom(env, kube.token_env);
  let caCert: string | undefined;
  if (kube.ca_file !== undefined) {
    try {
      caCert = readFileSync(kube.ca_file, "utf8");
    } catch {
      // Without its CA the API server cannot be trusted: report the rollout as unknown, never as read.
      return unknownRollout;
    }
  }
  const expectedImage =
    plan.field === "image" && target.image !== undefined
      ? imageRef(target.image, plan.after, plan.form)
      : undefined;
  return new KubernetesRolloutSource({
    apiUrl: kube.api_url,
    namespace: target.namespace ?? "default",
    deployment: target.workload,
    ...(token === undefined ? {} : { token }),
    ...(caCert === undefined ? {} : { caCert }),
    ...(expectedImage === undefined ? {} : { expectedImage }),
  });
}

const unknownRollout: RolloutSource = { rollout: async () => null };

function imageRef(image: string, value: string, form: Plan["form"]): string {
  return form === "digest" ? `${image}@${value}` : `${image}:${value}`;
}

function tokenFrom(env: NodeJS.ProcessEnv, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

function timeoutMs(text: string): number | undefined {
  try {
    return Math.round(parseDuration(text) * 1000);
  } catch {
    return undefined;
  }
}

import { createCaFetch } from "./create-ca-fetch.js";
import { deploymentRolloutState } from "../../verification/deployment-rollout-state.js";
import { getJson } from "../http/get-json.js";
import type { HealthContext, RolloutSource } from "../../verification/health-source.js";
import type { RolloutState } from "../../verification/observation.js";

export interface KubernetesRolloutSourceOptions {
  apiUrl: string;
  token?: string;
  namespace: string;
  deployment: string;
  /** PEM bundle for an API server with a private CA (in cluster: the service account's ca.crt). */
  caCert?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** The image the merged change deploys; until a container runs it, the rollout is not ours yet. */
  expectedImage?: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Reads a Deployment (GET /apis/apps/v1/namespaces/{ns}/deployments/{name}); null when it can't. */
export class KubernetesRolloutSource implements RolloutSource {
  readonly #url: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #expectedImage: string | undefined;

  constructor(opts: KubernetesRolloutSourceOptions) {
    const base = opts.apiUrl.replace(/\/+$/, "");
    this.#url = `${base}/apis/apps/v1/namespaces/${encodeURIComponent(opts.namespace)}/deployments/${encodeURIComponent(opts.deployment)}`;
    this.#token = opts.token;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#fetch = opts.fetch ?? (opts.caCert !== undefined ? createCaFetch(opts.caCert) : globalThis.fetch);
    this.#expectedImage = opts.expectedImage;
  }

  async rollout(_ctx: HealthContext): Promise<{ state: RolloutState; reason: string } | null> {
    const result = await getJson(this.#url, {
      service: "Kubernetes API",
      fetch: this.#fetch,
      timeoutMs: this.#timeoutMs,
      token: this.#token,
    });
    if (result.kind === "error" || result.status < 200 || result.status >= 300) return null;
    try {
      return deploymentRolloutState(result.body, this.#expectedImage);
    } catch {
      return null;
    }
  }
}

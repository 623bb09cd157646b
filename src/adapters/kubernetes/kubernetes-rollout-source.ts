import { createCaFetch } from "./create-ca-fetch.js";
import { deploymentRolloutState } from "../../verification/deployment-rollout-state.js";
import type { GetJsonOptions } from "../http/get-json.js";
import { jsonEndpoint, type EndpointOptions } from "../http/json-endpoint.js";
import { readRollout, type RolloutReading } from "../http/read-rollout.js";
import type { HealthContext, RolloutSource } from "../../verification/health-source.js";

export interface KubernetesRolloutSourceOptions extends EndpointOptions {
  apiUrl: string;
  namespace: string;
  deployment: string;
  /** PEM bundle for an API server with a private CA (in cluster: the service account's ca.crt). */
  caCert?: string;
  /** The image the merged change deploys; until a container runs it, the rollout is not ours yet. */
  expectedImage?: string;
}

/** Reads a Deployment (GET /apis/apps/v1/namespaces/{ns}/deployments/{name}); null when it can't. */
export class KubernetesRolloutSource implements RolloutSource {
  readonly #url: string;
  readonly #endpoint: GetJsonOptions;
  readonly #expectedImage: string | undefined;

  constructor(opts: KubernetesRolloutSourceOptions) {
    const base = opts.apiUrl.replace(/\/+$/, "");
    this.#url = `${base}/apis/apps/v1/namespaces/${encodeURIComponent(opts.namespace)}/deployments/${encodeURIComponent(opts.deployment)}`;
    const fetch = opts.fetch ?? (opts.caCert !== undefined ? createCaFetch(opts.caCert) : globalThis.fetch);
    this.#endpoint = jsonEndpoint("Kubernetes API", opts, fetch);
    this.#expectedImage = opts.expectedImage;
  }

  rollout(_ctx: HealthContext): Promise<RolloutReading | null> {
    return readRollout(this.#url, this.#endpoint, (body) =>
      deploymentRolloutState(body, this.#expectedImage),
    );
  }
}

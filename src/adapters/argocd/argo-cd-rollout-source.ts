import { argoApplicationRolloutState } from "../../verification/argo-application-rollout-state.js";
import type { GetJsonOptions } from "../http/get-json.js";
import { jsonEndpoint, type EndpointOptions } from "../http/json-endpoint.js";
import { readRollout, type RolloutReading } from "../http/read-rollout.js";
import type { HealthContext, RolloutSource } from "../../verification/health-source.js";

export interface ArgoCdRolloutSourceOptions extends EndpointOptions {
  url: string;
  application: string;
}

/** Reads an Argo CD Application (GET /api/v1/applications/{name}); null when it can't. */
export class ArgoCdRolloutSource implements RolloutSource {
  readonly #url: string;
  readonly #endpoint: GetJsonOptions;

  constructor(opts: ArgoCdRolloutSourceOptions) {
    this.#url = `${opts.url.replace(/\/+$/, "")}/api/v1/applications/${encodeURIComponent(opts.application)}`;
    this.#endpoint = jsonEndpoint("Argo CD", opts);
  }

  rollout(ctx: HealthContext): Promise<RolloutReading | null> {
    return readRollout(this.#url, this.#endpoint, (body) => argoApplicationRolloutState(body, ctx.mergeSha));
  }
}

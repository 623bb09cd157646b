import { argoApplicationRolloutState } from "../../verification/argo-application-rollout-state.js";
import { getJson } from "../http/get-json.js";
import type { HealthContext, RolloutSource } from "../../verification/health-source.js";
import type { RolloutState } from "../../verification/observation.js";

export interface ArgoCdRolloutSourceOptions {
  url: string;
  token?: string;
  application: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Reads an Argo CD Application (GET /api/v1/applications/{name}); null when it can't. */
export class ArgoCdRolloutSource implements RolloutSource {
  readonly #url: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(opts: ArgoCdRolloutSourceOptions) {
    this.#url = `${opts.url.replace(/\/+$/, "")}/api/v1/applications/${encodeURIComponent(opts.application)}`;
    this.#token = opts.token;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#fetch = opts.fetch ?? globalThis.fetch;
  }

  async rollout(ctx: HealthContext): Promise<{ state: RolloutState; reason: string } | null> {
    const result = await getJson(this.#url, {
      service: "Argo CD",
      fetch: this.#fetch,
      timeoutMs: this.#timeoutMs,
      token: this.#token,
    });
    if (result.kind === "error" || result.status < 200 || result.status >= 300) return null;
    try {
      return argoApplicationRolloutState(result.body, ctx.mergeSha);
    } catch {
      return null;
    }
  }
}

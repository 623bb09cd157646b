import type { GetJsonOptions } from "./get-json.js";

export const DEFAULT_TIMEOUT_MS = 10_000;

/** How an HTTP adapter reaches its API; every adapter's options name these the same way. */
export interface EndpointOptions {
  token?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** `getJson`'s options for one API, with the defaults every adapter shares (10 s, the global fetch). */
export function jsonEndpoint(
  service: string,
  opts: EndpointOptions,
  fetch: typeof globalThis.fetch = opts.fetch ?? globalThis.fetch,
): GetJsonOptions {
  return { service, fetch, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, token: opts.token };
}

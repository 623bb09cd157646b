/** What bounding needs of an Octokit: its request hook. */
interface Hookable {
  hook: {
    wrap(
      name: "request",
      wrapper: (
        request: (options: RequestOptions) => Promise<unknown>,
        options: RequestOptions,
      ) => Promise<unknown>,
    ): void;
  };
}
interface RequestOptions {
  method?: string;
  url?: string;
  request?: { fetch?: typeof fetch; [key: string]: unknown };
  [key: string]: unknown;
}

const bounded = new WeakSet<object>();

/**
 * Gives every request an Octokit sends (REST and GraphQL) a client timeout: each fetch, including
 * each retry the throttle and retry plugins make, must answer within `timeoutMs` or fails with a
 * `TimeoutError` that says so. Without it a stalled GitHub holds the request, and with it every
 * later event for the same target queued behind it, for as long as the socket stays open. Applied
 * once per instance.
 */
export function boundRequests<T extends object>(octokit: T, timeoutMs: number): T {
  if (bounded.has(octokit)) return octokit;
  bounded.add(octokit);
  (octokit as unknown as Hookable).hook.wrap("request", (request, options) => {
    const inner = options.request?.fetch ?? globalThis.fetch;
    const what = `${options.method ?? "GET"} ${options.url ?? ""}`;
    // The abort reaches a real fetch; the race also bounds a transport that ignores the signal.
    const timed: typeof fetch = (input, init) =>
      new Promise<Response>((resolve, reject) => {
        const timeout = AbortSignal.timeout(timeoutMs);
        const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
        const timedOut = (cause?: unknown): Error =>
          Object.assign(new Error(`GitHub did not answer ${what} within ${timeoutMs} ms`, { cause }), {
            name: "TimeoutError",
          });
        const onTimeout = (): void => reject(timedOut(timeout.reason));
        timeout.addEventListener("abort", onTimeout, { once: true });
        inner(input, { ...init, signal })
          .then(resolve, (error: unknown) => reject(timeout.aborted ? timedOut(error) : error))
          .finally(() => timeout.removeEventListener("abort", onTimeout));
      });
    // In place: before-after-hook binds every inner hook to this same options object.
    options.request = { ...options.request, fetch: timed };
    return request(options);
  });
  return octokit;
}

export type GetJsonResult =
  { kind: "response"; status: number; body: unknown; text: string } | { kind: "error"; reason: string };

export interface GetJsonOptions {
  /** Who is being called, for messages: "Prometheus", "Kubernetes API", "Argo CD". */
  service: string;
  fetch: typeof fetch;
  timeoutMs: number;
  token?: string | undefined;
}

// A single instant value or one object is a few kB; anything near this is a query gone wrong.
const MAX_BYTES = 5 * 1024 * 1024;

/**
 * GETs a JSON document. Never throws: network failures, timeouts and oversized bodies become
 * `{kind: "error"}`; any HTTP status becomes `{kind: "response"}` with the parsed body (undefined when
 * it is not JSON), so callers can quote an API's own error text.
 */
export async function getJson(url: string, options: GetJsonOptions): Promise<GetJsonResult> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  try {
    const response = await options.fetch(url, { method: "GET", headers, signal, redirect: "error" });
    const text = await readBounded(response);
    if (text === null)
      return { kind: "error", reason: `${options.service} response is larger than ${MAX_BYTES} bytes` };
    return { kind: "response", status: response.status, body: parseJson(text), text };
  } catch (error) {
    if (signal.aborted) {
      return {
        kind: "error",
        reason: `${options.service} did not answer within ${formatMs(options.timeoutMs)}`,
      };
    }
    return { kind: "error", reason: `${options.service} unreachable: ${describe(error)}` };
  }
}

async function readBounded(response: Response): Promise<string | null> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BYTES) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** undici hides the useful part (ECONNREFUSED, ENOTFOUND, a certificate error) in `cause`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === "string" && !cause.message.includes(code)
      ? `${code} ${cause.message}`
      : cause.message;
  }
  return error.message;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * What a failed piece of work means for its retry: `transient` when the same request could succeed
 * later (the network, a timeout, GitHub's 5xx, a rate limit, a 409 race with a concurrent writer),
 * `permanent` when it would fail the same way again (a 4xx that rejects the request, a GraphQL
 * error answer such as UNPROCESSABLE or NOT_FOUND, a flow error).
 * Pure: it reads the error's status, code, name and message, and those of its causes.
 */
export interface Failure {
  kind: "transient" | "permanent";
  /** The HTTP status GitHub (or another API) answered, or null when there was no answer. */
  status: number | null;
  /** The error's own message, as thrown. */
  message: string;
  /** Why it is classed so, for logs and the comment: "GitHub answered 502", "timed out". */
  reason: string;
  /** What came back, for the comment: "HTTP 422", "GraphQL errors (UNPROCESSABLE)", "no answer". */
  answer: string;
}

/** Node and undici codes for a request that got no answer; a retry may reach the server. */
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);

const TIMEOUT_NAMES = new Set(["AbortError", "TimeoutError"]);

/** Secondary rate limits answer 403 with this in the message (GitHub's documented wording). */
const RATE_LIMIT_MESSAGE = /rate limit|abuse detection/i;

export function classifyFailure(error: unknown): Failure {
  const chain = causes(error);
  const message = messageOf(error);
  const status = chain.map(statusOf).find((s): s is number => s !== null) ?? null;
  const refusal = status === null ? (chain.map(graphqlErrorTypes).find((t) => t !== null) ?? null) : null;
  const answer =
    status !== null
      ? `HTTP ${status}`
      : refusal === null
        ? "no answer"
        : `GraphQL errors${refusal.length === 0 ? "" : ` (${refusal.join(", ")})`}`;
  const transient = (reason: string): Failure => ({ kind: "transient", status, message, reason, answer });
  const permanent = (reason: string): Failure => ({ kind: "permanent", status, message, reason, answer });

  for (const link of chain) {
    const name = (link as { name?: unknown } | null)?.name;
    if (typeof name === "string" && TIMEOUT_NAMES.has(name)) return transient("the request timed out");
    const code = (link as { code?: unknown } | null)?.code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return transient(`network error ${code}`);
  }
  if (status !== null) {
    const answered = `GitHub answered ${status}`;
    if (status >= 500) return transient(answered);
    if (status === 429) return transient(`${answered} (rate limited)`);
    if (status === 409) return transient(`${answered} (a concurrent change; retrying sees the new state)`);
    if (status === 403 && (RATE_LIMIT_MESSAGE.test(message) || rateLimitHeaders(chain)))
      return transient(`${answered} (secondary rate limit)`);
    if (status >= 400) return permanent(answered);
  }
  // HTTP 200 with `errors` (Octokit's GraphqlResponseError): GitHub ran the document and refused it,
  // so the same document is refused again, except for a rate limit or GitHub's own timeout.
  if (refusal !== null) {
    if (refusal.includes("RATE_LIMITED")) return transient("GitHub's GraphQL API answered RATE_LIMITED");
    if (refusal.length === 0 && /timeout|timed out/i.test(message))
      return transient("GitHub's GraphQL API timed out");
    return permanent(`GitHub's GraphQL API refused it (${refusal.join(", ") || "an error without a type"})`);
  }
  // fetch() rejects with a bare TypeError when the connection fails before any answer.
  if (chain.some((link) => link instanceof TypeError && /fetch failed|network/i.test(messageOf(link))))
    return transient("network error");
  if (/timed? ?out|aborted/i.test(message) && status === null) return transient("the request timed out");
  return permanent("the flow failed");
}

/** The error and the causes it wraps, outermost first (bounded: a cause can point at itself). */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function statusOf(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status;
  // Octokit reports a request that never got an answer (fetch failed, aborted) as status 500.
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100) return null;
  return status;
}

/**
 * The `type`s of a GraphQL error answer's `errors` (empty when none has one), or null for other
 * errors. Octokit's GraphqlResponseError carries the answer's `data` beside them, which tells it
 * from an AggregateError or a ZodError (they have `errors` too).
 */
function graphqlErrorTypes(error: unknown): string[] | null {
  if (typeof error !== "object" || error === null || !("data" in error)) return null;
  const errors = (error as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return null;
  return [
    ...new Set(
      errors.flatMap((e) => {
        const type = (e as { type?: unknown } | null)?.type;
        return typeof type === "string" ? [type] : [];
      }),
    ),
  ];
}

function rateLimitHeaders(chain: unknown[]): boolean {
  return chain.some((link) => {
    const headers = (link as { response?: { headers?: Record<string, unknown> } } | null)?.response?.headers;
    if (headers === undefined) return false;
    return headers["retry-after"] !== undefined || headers["x-ratelimit-remaining"] === "0";
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

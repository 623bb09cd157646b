import { describe, expect, it } from "vitest";
import { classifyFailure } from "../../src/app/classify-failure.js";
import { MAX_RETRY_DELAY_MS, retryDelayMs } from "../../src/app/retry-delay.js";

function httpError(status: number, message = "boom", headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(message), { status, response: { headers } });
}

describe("classifyFailure", () => {
  it("calls GitHub's 5xx, 429 and 409 transient", () => {
    for (const status of [500, 502, 503, 504, 429, 409])
      expect(classifyFailure(httpError(status))).toMatchObject({ kind: "transient", status });
  });

  it("calls a 403 transient only when it is a (secondary) rate limit", () => {
    expect(classifyFailure(httpError(403, "You have exceeded a secondary rate limit")).kind).toBe(
      "transient",
    );
    expect(classifyFailure(httpError(403, "Forbidden", { "retry-after": "30" })).kind).toBe("transient");
    expect(classifyFailure(httpError(403, "Forbidden", { "x-ratelimit-remaining": "0" })).kind).toBe(
      "transient",
    );
    expect(classifyFailure(httpError(403, "Resource not accessible by integration"))).toMatchObject({
      kind: "permanent",
      status: 403,
      reason: "GitHub answered 403",
    });
  });

  it("calls validation and other 4xx answers permanent", () => {
    for (const status of [400, 401, 404, 410, 422])
      expect(classifyFailure(httpError(status, "Validation Failed")).kind).toBe("permanent");
  });

  it("calls timeouts and network errors transient, also when wrapped as a cause", () => {
    const timeout = Object.assign(new Error("The operation was aborted due to timeout"), {
      name: "TimeoutError",
    });
    expect(classifyFailure(timeout)).toMatchObject({ kind: "transient", reason: "the request timed out" });
    // Octokit reports a request with no answer as status 500 with the fetch error as its cause.
    const wrapped = Object.assign(new Error("read ECONNRESET"), {
      status: 500,
      cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
    });
    expect(classifyFailure(wrapped)).toMatchObject({ kind: "transient", reason: "network error ECONNRESET" });
    expect(classifyFailure(new TypeError("fetch failed")).kind).toBe("transient");
  });

  it("calls a GraphQL error answer permanent (HTTP 200, `errors`), except a rate limit or GitHub's timeout", () => {
    const refused = (errors: Array<{ type?: string; message: string }>): Error =>
      Object.assign(new Error(`Request failed due to following response errors:\n - ${errors[0]?.message}`), {
        name: "GraphqlResponseError",
        data: { createPullRequest: null },
        errors,
      });
    expect(
      classifyFailure(refused([{ type: "UNPROCESSABLE", message: "No commits between main and x" }])),
    ).toMatchObject({
      kind: "permanent",
      status: null,
      answer: "GraphQL errors (UNPROCESSABLE)",
      reason: "GitHub's GraphQL API refused it (UNPROCESSABLE)",
    });
    expect(classifyFailure(refused([{ type: "NOT_FOUND", message: "Could not resolve" }])).kind).toBe(
      "permanent",
    );
    expect(
      classifyFailure(refused([{ type: "RATE_LIMITED", message: "API rate limit exceeded" }])).kind,
    ).toBe("transient");
    expect(
      classifyFailure(
        refused([
          { message: "Something went wrong while executing your query. This may be the result of a timeout" },
        ]),
      ).kind,
    ).toBe("transient");
    // Not GraphQL answers: an AggregateError keeps "no answer".
    expect(classifyFailure(new AggregateError([new Error("x")], "many"))).toMatchObject({
      kind: "permanent",
      answer: "no answer",
    });
    expect(classifyFailure(httpError(422))).toMatchObject({ answer: "HTTP 422" });
  });

  it("calls a flow's own error permanent, and survives odd throwables", () => {
    expect(classifyFailure(new Error("runbooks/x.yaml: steps must be a list"))).toMatchObject({
      kind: "permanent",
      status: null,
      reason: "the flow failed",
    });
    expect(classifyFailure("a string").kind).toBe("permanent");
    expect(classifyFailure(null).kind).toBe("permanent");
    const loop: { message: string; cause?: unknown } = { message: "loop" };
    loop.cause = loop;
    expect(classifyFailure(loop).kind).toBe("permanent");
  });
});

describe("retryDelayMs", () => {
  it("doubles each attempt, jittered within the upper half of its step", () => {
    expect(retryDelayMs(1, 1000, () => 0)).toBe(500);
    expect(retryDelayMs(1, 1000, () => 1)).toBe(1000);
    expect(retryDelayMs(2, 1000, () => 0)).toBe(1000);
    expect(retryDelayMs(3, 1000, () => 1)).toBe(4000);
    expect(retryDelayMs(4, 1000, () => 0.5)).toBe(6000);
  });

  it("never waits longer than the cap, whatever the attempt", () => {
    expect(retryDelayMs(40, 1000, () => 1)).toBe(MAX_RETRY_DELAY_MS);
  });
});

import type { FakeGitHubState, Reply } from "./state.js";

/** What a REST handler is given: the state, the path's match, the query and the JSON body. */
export interface RouteRequest {
  method: string;
  s: FakeGitHubState;
  m: RegExpExecArray;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

export interface Route {
  /** An HTTP method, or "*" for a route that answers every method itself. */
  method: string;
  path: RegExp;
  answer: (request: RouteRequest) => Reply;
}

export function route(method: string, path: RegExp, answer: (request: RouteRequest) => Reply): Route {
  return { method, path, answer };
}

/** The first route of `table` that takes this method and path, answered; null when none does. */
export function answerRoute(
  table: readonly Route[],
  request: Omit<RouteRequest, "m"> & { path: string },
): Reply | null {
  for (const entry of table) {
    if (entry.method !== "*" && entry.method !== request.method) continue;
    const m = entry.path.exec(request.path);
    if (m !== null) return entry.answer({ ...request, m });
  }
  return null;
}

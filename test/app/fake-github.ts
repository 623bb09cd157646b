import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative } from "node:path";
import nock from "nock";
import { GITHUB_API, recordGitHub } from "../helpers/github-api.js";
import { answerGraphql } from "./fake-github/graphql-operations.js";
import { GIT_ROUTES } from "./fake-github/rest-git-routes.js";
import { answerRoute, route, type Route } from "./fake-github/rest-route.js";
import { REPO_ROUTES } from "./fake-github/rest-routes.js";
import {
  FakeGitHubState,
  INSTALLATION_ID,
  OWNER,
  REPO,
  notFound,
  unknown,
  type Reply,
} from "./fake-github/state.js";

export { BOT_LOGIN, INSTALLATION_ID, OWNER, REPO } from "./fake-github/state.js";
export { PR_CREATION, pullCreationHead, pullCreations } from "./fake-github/pull-creation.js";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The example GitOps repository at the project root, as the files a GitHub repo would hold. */
export function exampleRepository(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(ROOT, path)] = readFileSync(path, "utf8");
    }
  };
  for (const dir of [".github", "manifests", "policies", "runbooks"]) walk(join(ROOT, dir));
  // No Prometheus in tests: evidence and health read "no data" instead of reaching for a network.
  files[".github/remedy.yml"] = (files[".github/remedy.yml"] ?? "").replace(
    /^health:[\s\S]*?(?=^environments:)/m,
    "",
  );
  return files;
}

/** The App's own routes, at absolute paths. */
const APP_ROUTES: readonly Route[] = [
  route("GET", /^\/app$/, () => [
    200,
    { id: 1, slug: "remedy", name: "Remedy", node_id: "A_1", owner: { login: OWNER } },
  ]),
  route("GET", /^\/app\/installations$/, ({ s }) => [
    200,
    s.installed ? [{ id: INSTALLATION_ID, account: { login: OWNER }, app_id: 1 }] : [],
  ]),
  route("GET", /^\/installation\/repositories$/, () => [
    200,
    {
      total_count: 1,
      repositories: [
        { id: 1, name: REPO, full_name: `${OWNER}/${REPO}`, owner: { login: OWNER }, private: true },
      ],
    },
  ]),
  route("GET", new RegExp(`^/repos/${OWNER}/${REPO}/installation$`), ({ s }) =>
    s.installed ? [200, { id: INSTALLATION_ID, account: { login: OWNER } }] : notFound(),
  ),
];

/** The repository's routes, at paths below /repos/{owner}/{repo}, in the order they are tried. */
const REPOSITORY_ROUTES: readonly Route[] = [...GIT_ROUTES, ...REPO_ROUTES];

/**
 * A small stateful GitHub behind nock: one repository with git objects, refs, issues, PRs, comments,
 * check runs, rules and permissions, answering the REST and GraphQL requests Remedy makes the way
 * api.github.com does. Every request is recorded and checked against OpenAPI / the GraphQL schema;
 * a request this fake does not know is answered 501 and recorded as a problem. The state is in
 * fake-github/state.ts, the REST routes in route tables (fake-github/rest-*.ts), and one handler per
 * GraphQL operation in fake-github/graphql-operations.ts.
 */
export class FakeGitHub extends FakeGitHubState {
  constructor(files: Record<string, string> = exampleRepository()) {
    super(files);
  }

  /** Intercepts api.github.com. `delayMs` adds a fake round trip to every answer (the benchmark). */
  mock(delayMs = 0, expectAuth = true): nock.Scope {
    const scope = nock(GITHUB_API);
    recordGitHub(scope, this.requests);
    // The token exchange is a strict, one-time expectation (Probot caches the token): nock.isDone()
    // fails when Remedy never authenticated as the installation.
    const token = scope.post(`/app/installations/${INSTALLATION_ID}/access_tokens`);
    // A test in which Remedy must not touch GitHub at all says so; then the token is not expected.
    if (!expectAuth) token.optionally();
    token.delay(delayMs).reply(201, {
      token: "ghs_test",
      expires_at: "2099-01-01T00:00:00Z",
      permissions: {},
      repository_selection: "selected",
    });
    for (const method of ["get", "post", "patch", "put", "delete"] as const) {
      scope
        .persist()
        .intercept(/.*/, method.toUpperCase())
        .optionally()
        .delay(delayMs)
        .reply((uri, body, callback) => {
          const stall = this.#stall(method.toUpperCase(), uri, body);
          const answer = (): void =>
            callback(null, this.#answer(method.toUpperCase(), uri, body, stall) as nock.ReplyFnResult);
          if (stall?.delayMs === undefined) answer();
          else setTimeout(answer, stall.delayMs);
        });
    }
    return scope;
  }

  /**
   * The same fake as a real HTTP server on 127.0.0.1, for Remedy processes of their own (Probot's
   * `baseUrl` pointed at it): several replicas then share one GitHub. It also answers the token
   * exchange. Requests are recorded without the OpenAPI check (the in-process tests do that).
   */
  async serve(delayMs = 0): Promise<{ url: string; close(): Promise<void> }> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const method = req.method ?? "GET";
        const path = req.url ?? "/";
        let reply: Reply;
        let stall: FakeGitHub["failures"][number] | undefined;
        try {
          stall = this.#stall(method, path, raw);
          this.requests.push({ method, path, body: raw === "" ? undefined : JSON.parse(raw), problems: [] });
          reply =
            method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)
              ? [
                  201,
                  {
                    token: "ghs_test",
                    expires_at: "2099-01-01T00:00:00Z",
                    permissions: {},
                    repository_selection: "selected",
                  },
                ]
              : this.#answer(method, path, raw, stall);
        } catch (error) {
          reply = [500, { message: (error as Error).message }];
        }
        const send = () => {
          const text = JSON.stringify(reply[1] ?? null);
          res.writeHead(reply[0], { "content-type": "application/json; charset=utf-8" });
          res.end(text);
        };
        const wait = delayMs + (stall?.delayMs ?? 0);
        if (wait > 0) setTimeout(send, wait);
        else send();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  /** Problems found in recorded requests (OpenAPI, GraphQL schema, unknown routes). */
  problems(): string[] {
    return this.requests.flatMap((r) => r.problems.map((p) => `${r.method} ${r.path}: ${p}`));
  }

  // --- routing -----------------------------------------------------------------------------------

  /** The injected failure this request meets, used up here (its stall happens before the answer). */
  #stall(method: string, uri: string, rawBody: unknown): FakeGitHub["failures"][number] | undefined {
    const path = decodeURIComponent(new URL(uri, GITHUB_API).pathname);
    const document = (): string => {
      const body = typeof rawBody === "string" && rawBody !== "" ? JSON.parse(rawBody) : rawBody;
      return String((body as { query?: unknown } | null)?.query ?? "");
    };
    const failure = this.failures.find(
      (f) =>
        f.times > 0 &&
        f.method === method &&
        f.path.test(path) &&
        (f.query === undefined || f.query.test(document())),
    );
    if (failure !== undefined) failure.times -= 1;
    return failure;
  }

  #answer(method: string, uri: string, rawBody: unknown, failure?: FakeGitHub["failures"][number]): Reply {
    const url = new URL(uri, GITHUB_API);
    const path = decodeURIComponent(url.pathname);
    const query = url.searchParams;
    const body = (typeof rawBody === "string" && rawBody !== "" ? JSON.parse(rawBody) : rawBody) as Record<
      string,
      unknown
    >;
    const repoPrefix = `/repos/${OWNER}/${REPO}`;
    if (failure?.status !== undefined) return [failure.status, { message: `injected ${failure.status}` }];
    if (failure?.graphqlErrors !== undefined) return [200, { data: null, errors: failure.graphqlErrors }];
    const tooLong = overLimit(method, path, body);
    if (tooLong !== null) return [422, tooLong];
    const request = { method, s: this, query, body };
    const app = answerRoute(APP_ROUTES, { ...request, path });
    if (app !== null) return app;
    if (method === "POST" && path === "/graphql")
      return answerGraphql(this, body) ?? unknown("POST", "/graphql (unknown operation)", this.requests);
    if (!path.startsWith(repoPrefix)) return unknown(method, path, this.requests);
    const rest = path.slice(repoPrefix.length) || "/";
    return answerRoute(REPOSITORY_ROUTES, { ...request, path: rest }) ?? unknown(method, path, this.requests);
  }
}

/**
 * GitHub refuses an issue or PR title over 256 characters and a body or comment over 65,536 (it counts
 * characters, not UTF-16 units) with 422 Validation Failed, so the write is lost; the fake does too.
 */
function overLimit(method: string, path: string, body: Record<string, unknown> | undefined): object | null {
  if ((method !== "POST" && method !== "PATCH") || body === undefined || body === null) return null;
  if (!/\/(?:issues|pulls)(?:\/\d+)?(?:\/comments)?$|\/issues\/comments\/\d+$/.test(path)) return null;
  const resource = path.includes("/pulls")
    ? "PullRequest"
    : path.includes("comments")
      ? "IssueComment"
      : "Issue";
  for (const [field, max] of [
    ["title", 256],
    ["body", 65_536],
  ] as const) {
    const value = body[field];
    if (typeof value === "string" && [...value].length > max)
      return {
        message: "Validation Failed",
        errors: [
          { resource, field, code: "custom", message: `${field} is too long (maximum is ${max} characters)` },
        ],
      };
  }
  return null;
}

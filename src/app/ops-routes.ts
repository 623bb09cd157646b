import type { IncomingMessage, ServerResponse } from "node:http";
import type { RemedyRuntime } from "./remedy-runtime.js";
import { sendJson } from "./send-json.js";

/** A readiness check that hangs is a failed one: the probe gets its answer within this. */
const CHECK_TIMEOUT_MS = 3_000;

/**
 * The operator's endpoints (SPEC §8): `GET /healthz` (200 while the process serves), `GET /readyz`
 * (200 when the store answers and the App can authenticate, else 503 naming what failed) and
 * `GET /metrics` (Prometheus text format).
 */
export function opsRoutes(
  runtime: RemedyRuntime,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== "/healthz" && path !== "/readyz" && path !== "/metrics") return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      sendJson(res, 405, { error: `${req.method ?? "?"} is not allowed; use GET` });
      return true;
    }
    if (path === "/healthz") {
      sendJson(res, 200, { status: "ok" });
      return true;
    }
    if (path === "/readyz") {
      const reasons = await readiness(runtime);
      if (reasons.length === 0) sendJson(res, 200, { status: "ready" });
      else sendJson(res, 503, { status: "not ready", error: reasons.join("; "), reasons });
      return true;
    }
    try {
      const { contentType, body } = await runtime.metrics.text();
      res.writeHead(200, { "content-type": contentType });
      res.end(body);
    } catch (error) {
      runtime.log.error({ err: error }, "metrics could not be collected");
      sendJson(res, 500, { error: `metrics could not be collected: ${(error as Error).message}` });
    }
    return true;
  };
}

async function readiness(runtime: RemedyRuntime): Promise<string[]> {
  const [store, github] = await Promise.all([
    within(runtime.store.ping(), "the store did not answer"),
    within(runtime.authenticates(), "GitHub did not answer"),
  ]);
  return [
    ...(store === null ? [] : [`store: ${store}`]),
    ...(github === null ? [] : [`GitHub App authentication: ${github}`]),
  ];
}

/** null when `check` resolved in time, else why not. */
async function within(check: Promise<unknown>, timeoutReason: string): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`${timeoutReason} within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      check.then(
        () => null,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

import type { IncomingMessage, ServerResponse } from "node:http";
import { AlertPayload } from "../signals/alert-payload.js";
import { alertClaims } from "./claim-keys.js";
import { bearerTokenMatches } from "./bearer-token-matches.js";
import { describePayloadError } from "./describe-payload-error.js";
import { readBody } from "./read-body.js";
import type { RemedyRuntime } from "./remedy-runtime.js";
import { sendJson } from "./send-json.js";

const PATH = /^\/alerts\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)\/?$/;
const MAX_BODY = 1024 * 1024;
/** Alertmanager repeats a group every repeat_interval (4h by default); a firing is new for longer. */
const ALERT_TTL_SECONDS = 7 * 24 * 3600;

/**
 * `POST /alerts/{owner}/{repo}`: the Alertmanager receiver. It authenticates, validates, persists and
 * deduplicates, then answers 202 and leaves the work to the background, so the answer comes well
 * inside Alertmanager's timeout. Permanent problems are 4xx (never retried); only a failure that a
 * retry could cure (GitHub or the disk unavailable) is a 5xx.
 */
export function alertRoute(
  runtime: RemedyRuntime,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (!path.startsWith("/alerts/")) return false;
    const match = PATH.exec(path);
    const owner = match?.[1];
    const repo = match?.[2];
    if (owner === undefined || repo === undefined) {
      sendJson(res, 404, { error: "use POST /alerts/{owner}/{repo}" });
      return true;
    }
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      sendJson(res, 405, { error: `${req.method ?? "?"} is not allowed; use POST` });
      return true;
    }
    const log = runtime.log.child({ route: "alerts", repo: `${owner}/${repo}` });
    try {
      await handleAlert(runtime, req, res, owner, repo, log);
    } catch (error) {
      log.error({ err: error }, "alert could not be accepted");
      if (!res.headersSent)
        sendJson(res, 503, { error: "Remedy could not accept the alert right now; retry" });
    }
    return true;
  };
}

async function handleAlert(
  runtime: RemedyRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  owner: string,
  repo: string,
  log: RemedyRuntime["log"],
): Promise<void> {
  if (!bearerTokenMatches(req.headers.authorization, runtime.env.alertToken)) {
    req.resume();
    log.warn({}, "alert rejected: bad or missing bearer token");
    return sendJson(res, 401, {
      error: "missing or wrong bearer token (Authorization: Bearer <REMEDY_ALERT_TOKEN>)",
    });
  }
  runtime.notificationArrived();
  const body = await readBody(req, MAX_BODY);
  if (!body.ok)
    return sendJson(res, 413, {
      error: `body larger than ${MAX_BODY} bytes; lower max_alerts in the Alertmanager receiver`,
    });
  let json: unknown;
  try {
    json = JSON.parse(body.body.toString("utf8"));
  } catch (error) {
    return sendJson(res, 400, { error: `body is not valid JSON: ${(error as Error).message}` });
  }
  const parsed = AlertPayload.safeParse(json);
  if (!parsed.success) {
    const reason = describePayloadError(parsed.error);
    log.warn({ reason }, "alert rejected: invalid payload");
    return sendJson(res, 422, { error: reason });
  }
  const payload = parsed.data;
  const installationId = await runtime.installationId(owner, repo);
  if (installationId === null)
    return sendJson(res, 404, { error: `the Remedy GitHub App is not installed on ${owner}/${repo}` });

  // One round trip (file store: the item, then its claims): the item is stored with the claims it
  // won, or not at all when it won none. The claims it won are given back if its work is given up
  // (SPEC §1 invariant 7), so Alertmanager's next re-send is tried again instead of answered "duplicate".
  const won = await runtime.inbox.putClaimed(
    {
      owner,
      repo,
      installationId,
      delivery: null,
      receivedAt: new Date().toISOString(),
      work: { kind: "alert", payload },
    },
    alertClaims(owner, repo, payload),
    ALERT_TTL_SECONDS,
    (key, ttl) => runtime.store.claim(key, ttl),
  );
  if (won === null) {
    // Every notification arrives twice or more (HA peers, repeat_interval): at info level a storm
    // would be mostly this line.
    log.debug({ groupKey: payload.groupKey, status: payload.status }, "duplicate alert notification ignored");
    return sendJson(res, 202, { status: "duplicate" });
  }
  runtime.metrics.signal("alertmanager");
  runtime.dispatch(won);
  log.info(
    {
      groupKey: payload.groupKey,
      status: payload.status,
      alerts: payload.alerts.length,
      truncated: payload.truncatedAlerts,
    },
    "alert accepted",
  );
  sendJson(res, 202, { status: "accepted" });
}

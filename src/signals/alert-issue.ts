import { z } from "zod";
import { fenced, safeToken } from "../proposal/markdown.js";
import type { AlertPayload } from "./alert-payload.js";
import type { Incident } from "./incident.js";
import { MAX_SECTION } from "../proposal/render-timeline.js";
import { fitBody, fitTitle, MAX_BODY, safeText } from "../text/safe-text.js";

const BLOCK = "remedy:alert";

/** The marker that finds the one incident issue of an alert group. */
export function alertIssueMarker(incidentKey: string): string {
  return `<!-- ${BLOCK}-key ${incidentKey} -->`;
}

/**
 * The incident issue Remedy opens for a firing alert group. Alert text is quoted as data; the hidden
 * block carries the incident so `/diagnose` on the issue can rebuild it without trusting its text.
 */
export function renderAlertIssue(
  incident: Incident,
  payload: AlertPayload,
  target: { service: string | null; environment: string | null } = { service: null, environment: null },
): { title: string; body: string } {
  const title = alertIssueTitle(incident, payload, target);
  const rows = payload.alerts.slice(0, 50).map(
    (a) =>
      // In code: a token may still hold `@` (an alertname "@org/team" would mention the team).
      `- \`${safeToken(a.labels.alertname ?? "alert")}\` ${a.status} since \`${safeToken(a.startsAt)}\` (fingerprint \`${safeToken(a.fingerprint)}\`)`,
  );
  const human = [
    "Remedy opened this incident for an Alertmanager alert group. It diagnoses it against the runbooks and reports here.",
    "",
    "**Alerts**",
    ...rows,
    payload.alerts.length > 50 ? `- …and ${payload.alerts.length - 50} more` : "",
    payload.truncatedAlerts > 0
      ? `\n⚠️ Alertmanager truncated ${payload.truncatedAlerts} alerts from this group: the evidence is incomplete.`
      : "",
    "",
    "**Labels and annotations** (untrusted, quoted as data)",
    // "<" escaped (still valid JSON) so quoted annotations cannot forge the hidden markers below.
    fenced(
      JSON.stringify(
        { labels: payload.commonLabels, annotations: payload.commonAnnotations },
        null,
        2,
      ).replace(/</g, "\\u003c"),
      "json",
    ),
  ].join("\n");
  // The markers are what later deliveries and `/diagnose` read back, so the quoted alert text is what
  // gets shortened, never them.
  const markers = [alertIssueMarker(incident.key), `<!-- ${BLOCK} ${encode(incident)} -->`].join("\n");
  // The live timeline (render-timeline.ts) is spliced in later: its room is kept, or it never fits.
  return { title, body: fitBody(human, markers, MAX_BODY - MAX_SECTION - 2) };
}

/**
 * `[incident] HighErrorRate on cart (prod)`: the configured service and environment names when the
 * labels resolve to them (as the PR will say), else the first label SPEC §3.4 would look at.
 */
export function alertIssueTitle(
  incident: Incident,
  payload: AlertPayload,
  target: { service: string | null; environment: string | null },
): string {
  const labels = payload.commonLabels;
  const service =
    target.service ?? firstLabel(labels, ["service", "app", "app_kubernetes_io_name", "deployment", "job"]);
  const env = target.environment ?? firstLabel(labels, ["env", "environment", "namespace"]);
  const names = incident.alertnames.map((n) => safeToken(n)).join(", ") || "Alert";
  return fitTitle(
    `[incident] ${names}${service ? ` on ${safeToken(service)}` : ""}${env ? ` (${safeToken(env)})` : ""}`,
  );
}

function firstLabel(labels: Record<string, string>, names: readonly string[]): string | undefined {
  return names.map((name) => labels[name]).find((value) => value !== undefined && value !== "");
}

const StoredIncident = z.looseObject({
  key: z.string(),
  source: z.literal("alertmanager"),
  title: z.string(),
  text: z.string(),
  labels: z.record(z.string(), z.string()),
  alertnames: z.array(z.string()),
  truncatedAlerts: z.number(),
  startsAt: z.string().nullable(),
});

/** Rebuilds the alert incident stored in an issue body Remedy wrote; null for a person's issue. */
export function readAlertIssue(
  body: string,
  author: string,
  botLogin: string,
): Omit<Incident, "issue"> | null {
  if (author !== botLogin) return null;
  // The last block is Remedy's: anything earlier sits in quoted alert text.
  const match = [...body.matchAll(new RegExp(`<!-- ${BLOCK} ([A-Za-z0-9+/=]+) -->`, "g"))].at(-1);
  if (!match) return null;
  try {
    const parsed = StoredIncident.safeParse(
      JSON.parse(Buffer.from(match[1] as string, "base64").toString("utf8")),
    );
    if (!parsed.success) return null;
    return { ...parsed.data, status: "firing", trustedText: "", author: null } as Omit<Incident, "issue">;
  } catch {
    return null;
  }
}

/**
 * The incident as the hidden block stores it. Base64 hides nothing from a reader, so the quoted text
 * is made safe like the visible part, and every part is bounded so the block always fits the body.
 */
function encode(incident: Incident): string {
  const { key, source, title, text, labels, alertnames, truncatedAlerts, startsAt } = incident;
  const short = (value: string, max: number) => safeText(value.length > max ? value.slice(0, max) : value);
  return Buffer.from(
    JSON.stringify({
      key,
      source,
      title: short(title, 1_000),
      text: short(text, 8_000),
      labels: Object.fromEntries(
        Object.entries(labels)
          .slice(0, 100)
          .map(([name, value]) => [short(name, 200), short(value, 1_000)]),
      ),
      alertnames: alertnames.slice(0, 100).map((name) => short(name, 200)),
      truncatedAlerts,
      startsAt,
    }),
  ).toString("base64");
}

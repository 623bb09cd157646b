import type { AlertPayload } from "./alert-payload.js";
import { incidentKey, type Incident } from "./incident.js";

/**
 * An Alertmanager group becomes one incident keyed by its groupKey, so repeats, HA duplicates and
 * retries of the same group all land on the same incident (and so the same branch).
 */
export function incidentFromAlert(repo: string, payload: AlertPayload): Incident {
  const labels = { ...payload.commonLabels };
  const alertnames = unique(payload.alerts.map((a) => a.labels.alertname).filter(isString));
  if (labels.alertname !== undefined && !alertnames.includes(labels.alertname))
    alertnames.unshift(labels.alertname);
  const annotationText = [
    ...Object.values(payload.commonAnnotations),
    ...payload.alerts.flatMap((a) => Object.values(a.annotations)),
  ];
  const summary = payload.commonAnnotations.summary ?? payload.alerts[0]?.annotations.summary;
  const title = `${alertnames.join(", ") || "Alert"}${summary === undefined ? "" : `: ${summary}`}`;
  const firing = payload.alerts.filter((a) => a.status === "firing");
  const startsAt = (firing.length > 0 ? firing : payload.alerts).map((a) => a.startsAt).sort()[0] ?? null;
  return {
    key: incidentKey(repo, "alertmanager", payload.groupKey),
    source: "alertmanager",
    status: payload.status,
    title: truncate(title, 200),
    text: unique([title, ...alertnames, ...annotationText]).join("\n"),
    trustedText: "",
    labels,
    alertnames,
    issue: null,
    author: null,
    truncatedAlerts: payload.truncatedAlerts,
    startsAt,
  };
}

function isString(value: string | undefined): value is string {
  return typeof value === "string" && value.length > 0;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

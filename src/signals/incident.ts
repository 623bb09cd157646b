import { createHash } from "node:crypto";
import type { Role } from "./role.js";

export type IncidentSource = "alertmanager" | "issue" | "comment";

/** What Remedy acts on, whatever started it. Text fields are untrusted data, never instructions. */
export interface Incident {
  /** Stable identity: the same alert group or issue always yields the same key (hex sha256). */
  key: string;
  source: IncidentSource;
  status: "firing" | "resolved";
  title: string;
  /** All text that may choose a runbook, service or environment: titles, bodies, annotations. */
  text: string;
  /**
   * Text written by a human with write permission (an issue body, a command comment). Only this text
   * may name a concrete value (replicas, tag). Empty for alerts.
   */
  trustedText: string;
  /** Alert labels (common labels of the group); empty for issues. */
  labels: Record<string, string>;
  /**
   * An issue form's answers (`### Service` → `cart`), lower-cased label → one-line answer; absent for
   * alerts and free-form issues. Untrusted: they choose the service and environment, never a value.
   */
  fields?: Record<string, string>;
  alertnames: string[];
  /** Issue number of the incident on the forge, when there is one. */
  issue: number | null;
  author: { login: string; role: Role } | null;
  /** Alerts Alertmanager dropped from the group (max_alerts): evidence is incomplete. */
  truncatedAlerts: number;
  startsAt: string | null;
}

export function incidentKey(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

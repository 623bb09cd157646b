import type { Runbook } from "./runbook-schema.js";

/** One runbook's score against an incident, with the reasons the packet shows. */
export interface RunbookScore {
  id: string;
  title: string;
  action: Runbook["action"]["kind"];
  score: number;
  reasons: string[];
  /** What scored, for the confidence level. */
  matched?: { alertname: boolean; labels: number; keywords: number; recentChange: boolean };
}

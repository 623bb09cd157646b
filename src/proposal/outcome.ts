import type { RecentChange } from "../diagnosis/recent-changes.js";
import type { Diagnosis } from "../diagnosis/match-runbooks.js";
import type { PolicyResult } from "../policy/evaluate-policy.js";
import type { Incident } from "../signals/incident.js";
import type { Resolution } from "../signals/resolve-target.js";
import type { Decision, Plan } from "./plan.js";

export interface EvidenceRow {
  name: string;
  query: string;
  value: number | null;
  note: string;
}

export interface FileEdit {
  path: string;
  before: string;
  after: string;
  diff: string;
}

/** What planning decided for one incident: everything the approval packet and the writers need. */
export interface Outcome {
  decision: Decision;
  /** One line: what Remedy decided and why. */
  summary: string;
  incident: Incident;
  resolution: Resolution | null;
  diagnosis: Diagnosis | null;
  plan: Plan | null;
  policy: PolicyResult | null;
  edit: FileEdit | null;
  evidence: EvidenceRow[];
  /** Every gap Remedy knows of (SPEC §4 Uncertainties); never empty when something is unknown. */
  uncertainties: string[];
  /**
   * The target workload's recent changes, newest first, within `recent_changes` of the signal.
   * Absent when the target was not resolved or its history could not be read (an uncertainty says so).
   */
  recentChanges?: { window: string; signalAt: string; changes: RecentChange[] };
}

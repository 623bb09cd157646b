import type { Repository } from "../repo/load-repository.js";
import type { Incident } from "../signals/incident.js";
import type { Diagnosis } from "./match-runbooks.js";

/** Chooses among the deterministic scorer's candidates; may only narrow, never widen (see model/). */
export type Diagnoser = (incident: Incident, rules: Diagnosis, repository: Repository) => Promise<Diagnosis>;

/** Runs a runbook's evidence query (instant PromQL). Absent when no Prometheus is configured. */
export type EvidenceSource = (
  name: string,
  query: string,
) => Promise<{ value: number | null; reason?: string; note?: string }>;

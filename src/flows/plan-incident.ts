import type { EnvironmentTarget } from "../config/repo-config.js";
import { matchRunbook, type Diagnosis } from "../diagnosis/match-runbooks.js";
import { recentChanges } from "../diagnosis/recent-changes.js";
import type { Runbook } from "../diagnosis/runbook-schema.js";
import { writerNamedAction } from "../diagnosis/writer-named-action.js";
import type { ManifestTarget } from "../manifests/index.js";
import { escalationReason } from "../policy/escalation-reason.js";
import { evaluatePolicy } from "../policy/evaluate-policy.js";
import type { Decision } from "../proposal/plan.js";
import {
  actsOnChange,
  manifestTarget,
  planOfChange,
  planTarget,
  proposalSummary,
  type ActingRunbook,
  type PlannedChange,
} from "../proposal/planned-change.js";
import { evidenceGaps, modelGaps, personChangeGaps, truncationGaps } from "../proposal/planning-gaps.js";
import type { FileVersion, HistoryReader, RepoReader } from "../repo/repo-reader.js";
import type { Repository } from "../repo/load-repository.js";
import type { Incident } from "../signals/incident.js";
import { resolveTarget, type Resolution } from "../signals/resolve-target.js";
import { canAct } from "../signals/role.js";
import type { Diagnoser, EvidenceSource } from "../diagnosis/diagnoser.js";
import type { EvidenceRow, Outcome } from "../proposal/outcome.js";
import { parseDuration } from "../verification/parse-duration.js";
import { planChange } from "./plan-change.js";

export type { Diagnoser, EvidenceSource } from "../diagnosis/diagnoser.js";
export type { EvidenceRow, FileEdit, Outcome } from "../proposal/outcome.js";
export { describeChange, manifestTarget } from "../proposal/planned-change.js";

/** Versions of the workload's file read per plan: enough for a day of deploys and a rollback target. */
const HISTORY_LIMIT = 100;

export interface PlanningInput {
  repo: string;
  repository: Repository;
  /** The repository at the base branch head. */
  reader: RepoReader;
  history: HistoryReader;
  baseSha: string | null;
  incident: Incident;
  now: string;
  recentPrs: ReadonlyArray<{ service: string; environment: string; openedAt: string; action?: string }>;
  evidence?: EvidenceSource;
  diagnoser?: Diagnoser;
  /** Remedy's own login, to tell its changes in the history from a person's. Default remedy[bot]. */
  botLogin?: string;
}

/**
 * What planning has found so far: every outcome lists the gaps found before it returned, and the
 * workload's recent changes once they are read.
 */
interface Findings {
  incident: Incident;
  gaps: string[];
  recent?: Outcome["recentChanges"];
}

interface Workload {
  config: EnvironmentTarget;
  target: ManifestTarget;
  versions: FileVersion[] | null;
}

/** signal → incident → diagnosis → change → policy: one pass, no writes. */
export async function planIncident(input: PlanningInput): Promise<Outcome> {
  const { incident, repository } = input;
  const found: Findings = { incident, gaps: truncationGaps(incident) };
  const refusal = refusalOfSignal(incident);
  if (refusal !== null) return outcomeOf(found, "none", refusal);
  const resolution = resolveTarget(incident, repository.config);
  const escalation = escalationReason(incident, repository.policy.escalate);
  if (escalation !== null)
    return outcomeOf(found, "escalate", `Escalated: ${escalation}. A human must act.`, { resolution });
  // The workload's history is read once: recent changes for the packet and `changed_within`, and the
  // previous tag for a rollback.
  const workload = await readWorkload(input, resolution, found);
  const diagnosis = await diagnose(input, found);
  const chosen = chosenRunbook(incident, diagnosis, resolution, workload);
  if ("escalation" in chosen)
    return outcomeOf(found, "escalate", chosen.escalation, { resolution, diagnosis });
  const { runbook } = chosen;
  const evidence = await collectEvidence(runbook, chosen.resolution, input.evidence);
  found.gaps.push(...evidenceGaps(runbook, evidence));
  if (found.recent !== undefined) found.gaps.push(...personChangeGaps(found.recent.changes, runbook));
  const change = await planChange(
    input,
    runbook.action.kind,
    runbook,
    chosen.workload.target,
    workload?.versions ?? [],
  );
  if ("refusal" in change) {
    return outcomeOf(
      found,
      change.nothingToDo ? "none" : "escalate",
      change.nothingToDo ? change.refusal : `Escalated: ${change.refusal}`,
      { resolution, diagnosis, evidence },
    );
  }
  return judgedOutcome(input, found, { ...chosen, diagnosis, evidence, change });
}

function outcomeOf(
  found: Findings,
  decision: Decision,
  summary: string,
  extra: Partial<Outcome> = {},
): Outcome {
  return {
    decision,
    summary,
    incident: found.incident,
    resolution: null,
    diagnosis: null,
    plan: null,
    policy: null,
    edit: null,
    evidence: [],
    ...(found.recent === undefined ? {} : { recentChanges: found.recent }),
    ...extra,
    uncertainties: [...found.gaps, ...(extra.uncertainties ?? [])],
  };
}

/** A resolved group needs nothing; an issue by someone without write permission is not acted on. */
function refusalOfSignal(incident: Incident): string | null {
  if (incident.status === "resolved") return "The alert group is resolved: nothing to do.";
  if (incident.source === "issue" && incident.author !== null && !canAct(incident.author.role))
    return `@${incident.author.login} has ${incident.author.role} permission; someone with write permission must comment /diagnose.`;
  return null;
}

/** The resolved workload's file and its history, with the recent changes found in it. */
async function readWorkload(
  input: PlanningInput,
  resolution: Resolution,
  found: Findings,
): Promise<Workload | null> {
  const config = resolution.ok
    ? input.repository.config.services[resolution.service]?.environments[resolution.environment]
    : undefined;
  if (!resolution.ok || config === undefined) {
    found.gaps.push("The target workload is not resolved, so its recent changes were not read.");
    return null;
  }
  const target = manifestTarget(resolution.service, config);
  let versions: FileVersion[] | null = null;
  try {
    versions = await input.history.fileHistory(target.file, HISTORY_LIMIT);
  } catch (error) {
    found.gaps.push(
      `The history of ${target.file} could not be read (${error instanceof Error ? error.message : String(error)}): recent changes are unknown.`,
    );
  }
  if (versions !== null) {
    const signalAt = input.incident.startsAt ?? input.now;
    found.recent = {
      window: input.repository.config.recent_changes,
      signalAt,
      changes: recentChanges({
        versions,
        target,
        signalAt,
        now: input.now,
        windowSeconds: parseDuration(input.repository.config.recent_changes),
        botLogin: input.botLogin ?? "remedy[bot]",
      }),
    };
  }
  return { config, target, versions };
}

/** The runbook match, then the model's view of it when one is configured. */
async function diagnose(input: PlanningInput, found: Findings): Promise<Diagnosis> {
  const { incident, repository } = input;
  let diagnosis = matchRunbook(
    incident,
    repository.runbooks,
    found.recent === undefined ? {} : { changes: found.recent.changes },
  );
  if (input.diagnoser !== undefined) diagnosis = await input.diagnoser(incident, diagnosis, repository);
  found.gaps.push(...modelGaps(diagnosis, input.diagnoser !== undefined));
  return diagnosis;
}

/** The runbook Remedy may act on for this workload, or why a human must choose. */
function chosenRunbook(
  incident: Incident,
  diagnosis: Diagnosis,
  resolution: Resolution,
  workload: Workload | null,
):
  | { runbook: ActingRunbook; resolution: Resolution & { ok: true }; workload: Workload }
  | { escalation: string } {
  const runbook = diagnosis.runbook;
  if (runbook === null) return { escalation: `Escalated: ${diagnosis.explanation}` };
  if (!actsOnChange(runbook))
    return {
      escalation: `Escalated by runbook ${runbook.id}: ${runbook.action.reason ?? runbook.title}. A human must act.`,
    };
  if (!resolution.ok) return { escalation: `Escalated: ${resolution.reason}.` };
  if (diagnosis.level === "low" && !writerNamedAction(incident, runbook.action.kind))
    return {
      escalation: `Escalated: the match of runbook ${runbook.id} is low confidence (${diagnosis.drivers.join("; ")}) and no person with write permission asked for this action. A human must choose.`,
    };
  if (workload === null)
    throw new Error(
      `the resolved target ${resolution.service}/${resolution.environment} has no configuration`,
    );
  return { runbook, resolution, workload };
}

/** The planned change judged by policy, as a plan with its risk and the outcome that carries it. */
function judgedOutcome(
  input: PlanningInput,
  found: Findings,
  step: {
    runbook: ActingRunbook;
    resolution: Resolution & { ok: true };
    workload: Workload;
    diagnosis: Diagnosis;
    evidence: EvidenceRow[];
    change: PlannedChange;
  },
): Outcome {
  const { resolution, change, runbook, diagnosis } = step;
  const policy = evaluatePolicy(
    input.repository.policy,
    {
      service: resolution.service,
      environment: resolution.environment,
      action: change.action,
      field: change.field,
      before: change.before,
      after: change.after,
      ...(change.imageRepository === undefined ? {} : { imageRepository: change.imageRepository }),
    },
    input.repository.config.services[resolution.service]?.owners ?? [],
    { now: input.now, recentPrs: input.recentPrs },
  );
  const plan = planOfChange({
    repo: input.repo,
    now: input.now,
    incident: input.incident,
    diagnosis,
    runbook,
    service: resolution.service,
    environment: resolution.environment,
    target: planTarget(step.workload.target, step.workload.config),
    change,
    policy,
    evidence: step.evidence,
    recentChanges: found.recent?.changes ?? [],
  });
  const uncertainties = [...change.uncertainties];
  if (diagnosis.level !== "high")
    uncertainties.push(
      `Runbook match confidence is ${diagnosis.level} (match strength ${diagnosis.confidence.toFixed(2)} of 1): check that ${runbook.id} fits this incident.`,
    );
  return outcomeOf(found, policy.decision, proposalSummary(plan, policy), {
    resolution,
    diagnosis,
    plan,
    policy,
    edit: change.edit,
    evidence: step.evidence,
    uncertainties,
  });
}

async function collectEvidence(
  runbook: Runbook,
  resolution: Resolution & { ok: true },
  source: EvidenceSource | undefined,
): Promise<EvidenceRow[]> {
  return Promise.all(
    runbook.evidence.map(async ({ name, query }) => {
      const rendered = query
        .replaceAll("{{service}}", resolution.service)
        .replaceAll("{{environment}}", resolution.environment);
      if (source === undefined)
        return { name, query: rendered, value: null, note: "not collected: no Prometheus configured" };
      const sample = await source(name, rendered);
      return {
        name,
        query: rendered,
        value: sample.value,
        // A source may say why it did not look (the offline CLI: configured but not queried).
        note: sample.note ?? (sample.value === null ? `no data: ${sample.reason ?? "empty result"}` : ""),
      };
    }),
  );
}

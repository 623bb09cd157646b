import { createHash } from "node:crypto";
import { canonicalJson } from "../audit/canonical-json.js";
import { parseYamlData } from "../config/parse-with-schema.js";
import type { EnvironmentTarget } from "../config/repo-config.js";
import { describeAge } from "../diagnosis/describe-age.js";
import { matchRunbook, type Diagnosis } from "../diagnosis/match-runbooks.js";
import { recentChanges, type RecentChange } from "../diagnosis/recent-changes.js";
import type { Runbook } from "../diagnosis/runbook-schema.js";
import { writerNamedAction } from "../diagnosis/writer-named-action.js";
import {
  editField,
  findHpa,
  readField,
  readReplicasFallback,
  unifiedDiff,
  yaml11NumberTag,
  RESTART_ANNOTATION,
  type ManifestTarget,
} from "../manifests/index.js";
import { safeToken } from "../proposal/markdown.js";
import { escalationReason } from "../policy/escalation-reason.js";
import { evaluatePolicy } from "../policy/evaluate-policy.js";
import { autoMergeAllowed } from "../policy/auto-merge-allowed.js";
import { assessRisk } from "../proposal/assess-risk.js";
import { computeReplicas } from "../proposal/compute-replicas.js";
import type { Decision, Plan, PlanAction, PlanTarget } from "../proposal/plan.js";
import { verifySpecFromRunbook } from "../proposal/verify-spec-from-runbook.js";
import type { FileVersion, HistoryReader, RepoReader } from "../repo/repo-reader.js";
import type { Repository } from "../repo/load-repository.js";
import type { Incident } from "../signals/incident.js";
import { requestedValues } from "../signals/requested-values.js";
import { resolveTarget, type Resolution } from "../signals/resolve-target.js";
import { canAct } from "../signals/role.js";
import type { Diagnoser, EvidenceSource } from "../diagnosis/diagnoser.js";
import type { EvidenceRow, FileEdit, Outcome } from "../proposal/outcome.js";
import { parseDuration } from "../verification/parse-duration.js";

export type { Diagnoser, EvidenceSource } from "../diagnosis/diagnoser.js";
export type { EvidenceRow, FileEdit, Outcome } from "../proposal/outcome.js";

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

/** signal → incident → diagnosis → change → policy: one pass, no writes. */
export async function planIncident(input: PlanningInput): Promise<Outcome> {
  const { incident, repository } = input;
  // Gaps found along the way; every outcome lists those found before it returned.
  const gaps: string[] = [];
  if (incident.truncatedAlerts > 0)
    gaps.push(
      `Alertmanager dropped ${incident.truncatedAlerts} alerts from this group (max_alerts): the evidence is incomplete.`,
    );
  let recent: Outcome["recentChanges"];
  const outcome = (decision: Decision, summary: string, extra: Partial<Outcome> = {}): Outcome => ({
    decision,
    summary,
    incident,
    resolution: null,
    diagnosis: null,
    plan: null,
    policy: null,
    edit: null,
    evidence: [],
    ...(recent === undefined ? {} : { recentChanges: recent }),
    ...extra,
    uncertainties: [...gaps, ...(extra.uncertainties ?? [])],
  });

  if (incident.status === "resolved") return outcome("none", "The alert group is resolved: nothing to do.");
  if (incident.source === "issue" && incident.author !== null && !canAct(incident.author.role)) {
    return outcome(
      "none",
      `@${incident.author.login} has ${incident.author.role} permission; someone with write permission must comment /diagnose.`,
    );
  }

  const resolution = resolveTarget(incident, repository.config);
  const escalation = escalationReason(incident, repository.policy.escalate);
  if (escalation !== null)
    return outcome("escalate", `Escalated: ${escalation}. A human must act.`, { resolution });

  // The workload's history is read once: recent changes for the packet and `changed_within`, and the
  // previous tag for a rollback.
  const resolvedConfig = resolution.ok
    ? repository.config.services[resolution.service]?.environments[resolution.environment]
    : undefined;
  const resolvedTarget =
    resolution.ok && resolvedConfig !== undefined ? manifestTarget(resolution.service, resolvedConfig) : null;
  let versions: FileVersion[] | null = null;
  if (resolvedTarget !== null) {
    try {
      versions = await input.history.fileHistory(resolvedTarget.file, HISTORY_LIMIT);
    } catch (error) {
      gaps.push(
        `The history of ${resolvedTarget.file} could not be read (${error instanceof Error ? error.message : String(error)}): recent changes are unknown.`,
      );
    }
    if (versions !== null) {
      const signalAt = incident.startsAt ?? input.now;
      recent = {
        window: repository.config.recent_changes,
        signalAt,
        changes: recentChanges({
          versions,
          target: resolvedTarget,
          signalAt,
          now: input.now,
          windowSeconds: parseDuration(repository.config.recent_changes),
          botLogin: input.botLogin ?? "remedy[bot]",
        }),
      };
    }
  } else gaps.push("The target workload is not resolved, so its recent changes were not read.");

  let diagnosis = matchRunbook(
    incident,
    repository.runbooks,
    recent === undefined ? {} : { changes: recent.changes },
  );
  if (input.diagnoser !== undefined) diagnosis = await input.diagnoser(incident, diagnosis, repository);
  gaps.push(...modelGaps(diagnosis, input.diagnoser !== undefined));
  const runbook = diagnosis.runbook;
  if (runbook === null)
    return outcome("escalate", `Escalated: ${diagnosis.explanation}`, { resolution, diagnosis });
  if (runbook.action.kind === "escalate") {
    return outcome(
      "escalate",
      `Escalated by runbook ${runbook.id}: ${runbook.action.reason ?? runbook.title}. A human must act.`,
      { resolution, diagnosis },
    );
  }
  if (!resolution.ok)
    return outcome("escalate", `Escalated: ${resolution.reason}.`, { resolution, diagnosis });
  if (diagnosis.level === "low" && !writerNamedAction(incident, runbook.action.kind))
    return outcome(
      "escalate",
      `Escalated: the match of runbook ${runbook.id} is low confidence (${diagnosis.drivers.join("; ")}) and no person with write permission asked for this action. A human must choose.`,
      { resolution, diagnosis },
    );

  const targetConfig = resolvedConfig as EnvironmentTarget;
  const target = resolvedTarget as ManifestTarget;
  const evidence = await collectEvidence(runbook, resolution, input.evidence);
  gaps.push(...evidenceGaps(runbook, evidence));
  if (recent !== undefined) gaps.push(...personChangeGaps(recent.changes, runbook));
  const change = await planChange(input, runbook.action.kind, runbook, target, versions ?? []);
  if ("refusal" in change) {
    return outcome(
      change.nothingToDo ? "none" : "escalate",
      change.nothingToDo ? change.refusal : `Escalated: ${change.refusal}`,
      { resolution, diagnosis, evidence },
    );
  }

  const owners = repository.config.services[resolution.service]?.owners ?? [];
  const policy = evaluatePolicy(
    repository.policy,
    {
      service: resolution.service,
      environment: resolution.environment,
      action: change.action,
      field: change.field,
      before: change.before,
      after: change.after,
      ...(change.imageRepository === undefined ? {} : { imageRepository: change.imageRepository }),
    },
    owners,
    { now: input.now, recentPrs: input.recentPrs },
  );
  const irreversible =
    runbook.action.reversible === false
      ? { reason: runbook.action.reason ?? "the runbook marks this change irreversible" }
      : undefined;
  const { risk, flags } = assessRisk({
    ...change,
    environment: resolution.environment,
    freezeException: policy.freezeException,
    truncatedAlerts: incident.truncatedAlerts,
    isRevert: false,
    ...(irreversible === undefined ? {} : { irreversible: irreversible.reason }),
  });
  const plan: Plan = {
    version: 1,
    repo: input.repo,
    incidentKey: incident.key,
    incident: incident.issue,
    service: resolution.service,
    environment: resolution.environment,
    action: change.action,
    runbook: runbook.id,
    target: planTarget(target, targetConfig),
    field: change.field,
    form: change.form,
    before: change.before,
    after: change.after,
    revert: { field: change.field, value: change.before },
    verify: verifySpecFromRunbook(runbook.verify),
    evidenceHash: evidenceHash(incident, diagnosis, evidence, recent?.changes ?? []),
    approvals: policy.approvals,
    reviewers: policy.reviewers,
    risk,
    riskFlags: flags,
    autoMerge: autoMergeAllowed(policy.autoMerge, risk, resolution.environment).enabled,
    createdAt: input.now,
    ...(irreversible === undefined ? {} : { irreversible }),
  };
  const uncertainties = [...change.uncertainties];
  if (diagnosis.level !== "high")
    uncertainties.push(
      `Runbook match confidence is ${diagnosis.level} (match strength ${diagnosis.confidence.toFixed(2)} of 1): check that ${runbook.id} fits this incident.`,
    );
  const summary =
    policy.decision === "deny"
      ? `Denied by policy: ${policy.rules
          .filter((r) => r.result === "fail")
          .map((r) => r.detail)
          .join("; ")}.`
      : `Propose: ${describeChange(plan)} (runbook ${runbook.id}).`;
  return outcome(policy.decision, summary, {
    resolution,
    diagnosis,
    plan,
    policy,
    edit: change.edit,
    evidence,
    uncertainties,
  });
}

export function describeChange(
  plan: Pick<Plan, "field" | "service" | "environment" | "before" | "after">,
): string {
  if (plan.field === "restart")
    return `restart ${plan.service} in ${plan.environment} (rolling restart, ${RESTART_ANNOTATION}: ${plan.after})`;
  return plan.field === "replicas"
    ? `scale ${plan.service} in ${plan.environment} from ${plan.before} to ${plan.after} replicas`
    : `move ${plan.service} in ${plan.environment} from image ${plan.before} to ${plan.after}`;
}

interface PlannedChange {
  action: PlanAction;
  field: "replicas" | "image" | "restart";
  form: "count" | "tag" | "digest" | "timestamp";
  before: string;
  after: string;
  imageRepository?: string;
  edit: FileEdit;
  uncertainties: string[];
}

async function planChange(
  input: PlanningInput,
  action: PlanAction,
  runbook: Runbook,
  target: ManifestTarget,
  versions: readonly FileVersion[],
): Promise<PlannedChange | { refusal: string; nothingToDo?: boolean }> {
  const text = await input.reader.readFile(target.file);
  if (text === null)
    return {
      refusal: `${target.file} does not exist on the base branch; fix the file path in .github/remedy.yml`,
    };
  if (action === "restart") return planRestart(input, target, text);
  const requested = requestedValues(input.incident.trustedText);
  const field = action === "scale" ? "replicas" : "image";
  // Only the value this action takes matters: "4.2.0 replaced 4.1.3, please scale up" names no replica count.
  const conflict =
    action === "scale"
      ? requested.conflicts.replicas
      : action === "set-image"
        ? requested.conflicts.tag
        : undefined;
  if (conflict !== undefined) return { refusal: `the request names ${conflict}; name one value` };
  const uncertainties: string[] = [];

  if (field === "replicas") {
    const hpa = await findHpa(target, (path) => input.reader.readFile(path));
    if (hpa.managed)
      return {
        refusal: `replicas of ${target.workload} are managed by a HorizontalPodAutoscaler (${hpa.reason ?? "HPA found"}); editing them would fight the HPA. Change the HPA's bounds instead`,
      };
    // Remote or unreadable Kustomize resources (and bases): an autoscaler there would not be seen.
    if (hpa.unchecked !== undefined) uncertainties.push(...hpa.unchecked);
    else if (hpa.reason !== undefined) uncertainties.push(`Autoscaling ${hpa.reason}.`);
  }

  let current = readField(text, target, field);
  if (!current.ok && current.code === "missing" && field === "replicas" && target.kind === "kustomize") {
    const fallback = await readReplicasFallback(target, (path) => input.reader.readFile(path));
    if (fallback !== null) {
      current = { ok: true, value: String(fallback), form: "count", line: 0 };
      uncertainties.push(
        `${target.file} has no replicas entry for ${target.workload}; the current count ${fallback} comes from the base manifests and the PR adds the entry.`,
      );
    }
  }
  if (!current.ok) return { refusal: current.reason };
  if (field === "image") {
    const plain = yaml11NumberTag(text, target);
    if (plain !== null)
      uncertainties.push(
        `The tag ${plain} in ${target.file} is written unquoted; a YAML 1.1 reader (some Helm tooling and linters) would read it as the number ${Number(plain.replace(/_/g, ""))}. Quote it to be sure.`,
      );
  }

  let after: string;
  if (field === "replicas") {
    const before = Number(current.value);
    const rule = runbook.action.kind === "scale" ? runbook.action.replicas : "+2";
    const replicas = requested.replicas;
    after = String(
      replicas === undefined
        ? computeReplicas(before, rule)
        : replicas.kind === "absolute"
          ? replicas.count
          : before + replicas.delta,
    );
  } else if (action === "set-image") {
    if (requested.tag === undefined)
      return {
        refusal:
          'no image tag was named by someone with write permission (write e.g. "deploy 1.4.3" in the issue or a /propose comment)',
      };
    after = requested.tag;
  } else {
    const previous = previousValue(versions, target, current.value);
    if (previous === null)
      return {
        refusal: `no earlier, different image tag of ${target.workload} in the history of ${target.file}; nothing to roll back to`,
      };
    after = previous.value;
    uncertainties.push(
      `Rolling back to ${previous.value}, last deployed in commit ${previous.sha.slice(0, 12)} (${previous.message.split("\n")[0] ?? ""}).`,
    );
  }
  if (after === current.value)
    return { refusal: `${target.file} already has ${field} ${after}: nothing to change`, nothingToDo: true };

  const edited = editField(text, target, field, after);
  if (!edited.ok) return { refusal: edited.reason };
  return {
    action,
    field,
    form: current.form,
    before: current.value,
    after,
    ...(field === "image" ? imageRepositoryOf(text, target) : {}),
    edit: {
      path: target.file,
      before: text,
      after: edited.text,
      diff: unifiedDiff(target.file, text, edited.text),
    },
    uncertainties,
  };
}

/**
 * A rolling restart sets the pod-template annotation to the signal's time: a new value on every
 * restart, so the pod template changes and the workload rolls. Nothing in the signal chooses it.
 */
function planRestart(
  input: PlanningInput,
  target: ManifestTarget,
  text: string,
): PlannedChange | { refusal: string } {
  const current = readField(text, target, "restart");
  if (!current.ok) return { refusal: current.reason };
  const before = current.value;
  let after = new Date(Date.parse(input.incident.startsAt ?? input.now))
    .toISOString()
    .replace(/\.000Z$/, "Z");
  // The same instant twice (a redelivery re-planned after a merge) must still roll the pods.
  if (after === before) after = new Date(Date.parse(input.now)).toISOString().replace(/\.000Z$/, "Z");
  const edited = editField(text, target, "restart", after);
  if (!edited.ok) return { refusal: edited.reason };
  return {
    action: "restart",
    field: "restart",
    form: "timestamp",
    before,
    after,
    edit: {
      path: target.file,
      before: text,
      after: edited.text,
      diff: unifiedDiff(target.file, text, edited.text),
    },
    uncertainties: [
      `A restart replaces the pods of ${target.workload} without changing what they run; it helps when the cause is in the pods' state (a leak, a stuck connection), not in the code or the configuration.`,
    ],
  };
}

/** The newest earlier version of the file whose value differs from the current one. */
function previousValue(
  versions: readonly FileVersion[],
  target: ManifestTarget,
  current: string,
): { value: string; sha: string; message: string } | null {
  for (const version of versions) {
    if (version.content === null) continue;
    const read = readField(version.content, target, "image");
    if (read.ok && read.value !== current)
      return { value: read.value, sha: version.sha, message: version.message };
  }
  return null;
}

/** The image repository a new tag belongs to, for the policy's registry rule. */
function imageRepositoryOf(text: string, target: ManifestTarget): { imageRepository?: string } {
  if (target.kind === "kustomize") return target.image === undefined ? {} : { imageRepository: target.image };
  // Helm: the `repository` key beside the tag key (image.tag → image.repository), read as plain data.
  let node: unknown;
  try {
    node = parseYamlData(target.file, text);
  } catch {
    node = undefined;
  }
  for (const key of [...target.tagKey.split(".").slice(0, -1), "repository"]) {
    node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
  }
  if (typeof node === "string") return { imageRepository: node };
  return target.image === undefined ? {} : { imageRepository: target.image };
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

/** Evidence Remedy meant to read and did not, each with why. */
function evidenceGaps(runbook: Runbook, evidence: readonly EvidenceRow[]): string[] {
  if (runbook.evidence.length === 0)
    return [`Runbook ${runbook.id} defines no evidence queries: no metric was read at diagnosis.`];
  return evidence
    .filter((e) => e.value === null)
    .map((e) =>
      e.note.startsWith("not collected")
        ? `Evidence ${e.name} was ${e.note}.`
        : `Evidence ${e.name} returned ${e.note}.`,
    );
}

/**
 * A person changed the field this runbook edits within the window: their change may be the fix in
 * progress, or the cause, and Remedy's PR would override or undo it.
 */
function personChangeGaps(changes: readonly RecentChange[], runbook: Runbook): string[] {
  if (runbook.action.kind === "restart") return [];
  const field = runbook.action.kind === "scale" ? "replicas" : "image";
  return changes
    .filter((c) => !c.byRemedy && c.fields.some((f) => f.field === field))
    .map((c) => {
      const edit = c.fields.find((f) => f.field === field);
      const who = c.author === null ? "someone (author unknown)" : `@${safeToken(c.author, 39)}`;
      const pr = c.pullRequest === null ? "" : ` in #${c.pullRequest}`;
      return `${who} changed ${field} ${edit?.from ?? "?"} → ${edit?.to ?? "?"}${pr} ${describeAge(c.secondsBeforeSignal)} (commit ${c.sha.slice(0, 12)}); this change edits the same field.`;
    });
}

/** The model's part, as an uncertainty when it was not consulted or did not agree. */
function modelGaps(diagnosis: Diagnosis, configured: boolean): string[] {
  const model = diagnosis.model;
  if (!configured || model === undefined)
    return ["No model was consulted (none configured): the deterministic rules decided alone."];
  if (model.outcome === "not-used")
    return [`Model ${model.name} was not used: ${model.reason}. The rules decided alone.`];
  if (model.outcome === "disagreed")
    return [`Model ${model.name} disagreed with the rules: ${model.reason}.`];
  if (model.outcome === "accepted")
    return [`The rules did not match this runbook; model ${model.name} chose it (${model.reason}).`];
  return [];
}

export function manifestTarget(service: string, config: EnvironmentTarget): ManifestTarget {
  return {
    kind: config.kind,
    file: config.file,
    workload: config.workload ?? service,
    ...(config.image === undefined ? {} : { image: config.image }),
    replicasKey: config.replicas_key,
    tagKey: config.tag_key,
    restartKey: config.restart_key,
  };
}

function planTarget(target: ManifestTarget, config: EnvironmentTarget): PlanTarget {
  return {
    ...target,
    ...(config.namespace === undefined ? {} : { namespace: config.namespace }),
    ...(config.argocd_app === undefined ? {} : { argocdApp: config.argocd_app }),
  };
}

function evidenceHash(
  incident: Incident,
  diagnosis: Diagnosis,
  evidence: EvidenceRow[],
  changes: readonly RecentChange[],
): string {
  const material = {
    // Only when there are any, so a packet without recent changes keeps the hash it always had.
    ...(changes.length === 0 ? {} : { recentChanges: changes.map((c) => c.sha) }),
    incident: incident.key,
    labels: incident.labels,
    text: incident.text,
    runbook: diagnosis.runbook?.id ?? null,
    candidates: diagnosis.candidates.map((c) => [c.id, c.score]),
    evidence,
  };
  return `sha256:${createHash("sha256").update(canonicalJson(material)).digest("hex")}`;
}

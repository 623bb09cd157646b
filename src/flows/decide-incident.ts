import type { PullRequest } from "../forge/forge.js";
import { renderPacket } from "../proposal/approval-packet.js";
import { auditSteps, type AuditStep } from "./audit-step.js";
import { followUp, type FlowDeps } from "./deps.js";
import { openProposal, type PendingSteps, type ProposalResult } from "./open-proposal.js";
import type { Repository } from "../repo/load-repository.js";
import { notify } from "./notify.js";
import type { Pause } from "./pause-of.js";
import type { RepoReader, HistoryReader } from "../repo/repo-reader.js";
import type { Incident } from "../signals/incident.js";
import { describeChange, planIncident, type Outcome } from "./plan-incident.js";
import { recentRemedyPrs } from "./recent-remedy-prs.js";
import { refreshTimeline } from "./refresh-timeline.js";

export interface IncidentResult {
  outcome: Outcome | null;
  error: string | null;
  proposal: ProposalResult | null;
}

export const DECISION_MARKER = "<!-- remedy:decision -->";

/** Plans the incident at the base commit against a listing of Remedy's PRs (diagnose → plan → policy). */
export function plannerFor(
  deps: FlowDeps,
  at: { repository: Repository; reader: RepoReader & HistoryReader; baseSha: string; incident: Incident },
): (remedyPrs: readonly PullRequest[]) => Promise<Outcome> {
  const evidence = deps.evidence?.(at.repository.config);
  const diagnoser = deps.diagnoser?.(at.repository.config);
  return (remedyPrs) =>
    planIncident({
      ...at,
      repo: deps.forge.repo,
      history: at.reader,
      now: deps.now(),
      recentPrs: recentRemedyPrs(remedyPrs, deps.now()),
      botLogin: deps.botLogin,
      ...(evidence === undefined ? {} : { evidence }),
      ...(diagnoser === undefined ? {} : { diagnoser }),
    });
}

/** `auto` follows the repository's `mode`; `/dry-run` and `/propose` override it. */
export type WriteMode = "auto" | "dry-run" | "propose";

/** Whether this run may write a PR: a dry-run pause or `mode: dry-run` only comments. */
export function writeModeOf(
  mode: WriteMode,
  pause: Pause | null,
  repository: Repository,
): "dry-run" | "propose" {
  if (pause?.mode === "dry-run") return "dry-run";
  if (mode !== "auto") return mode;
  return repository.config.mode === "dry-run" ? "dry-run" : "propose";
}

/**
 * Records the diagnosis and decision, then acts on it: the PR (when `open` is given and the decision
 * is still propose) or the decision as a comment.
 */
export async function decide(
  deps: FlowDeps,
  outcome: Outcome,
  how: {
    writeMode: "dry-run" | "propose";
    actor: string;
    leading: AuditStep[];
    open?: { base: string; baseSha: string; remedyPrs: readonly PullRequest[] };
  },
): Promise<IncidentResult> {
  const { incident } = outcome;
  deps.log.info(
    { incident: incident.issue, key: incident.key.slice(0, 8), decision: outcome.decision },
    "incident planned",
  );
  const steps = [...how.leading, ...decisionSteps(outcome, how.actor)];
  if (outcome.decision === "propose" && how.open !== undefined) {
    // The diagnosis and decision land with the PR's own record, after the PR is visible: the ledger
    // is not on the way to the PR (the commit's trailer anchors the ledger head as it stood).
    const decision: PendingSteps = { steps, landed: false };
    let proposal: ProposalResult;
    try {
      proposal = await openProposal(deps, outcome, { ...how.open, decision, actor: how.actor });
    } finally {
      // No PR, a reused one, or an attempt that failed on the way (retried, or told to a person):
      // its steps are recorded all the same (every step lands in the ledger, SPEC §1).
      if (!decision.landed) await auditSteps(deps, steps);
    }
    if (how.writeMode === "propose") await followUp(deps, () => refreshTimeline(deps, incident.issue));
    return { outcome, error: null, proposal };
  }
  await auditSteps(deps, steps);
  await reportOutcome(deps, outcome, how.writeMode === "dry-run");
  // A dry run writes nothing but its comment.
  if (how.writeMode === "propose") await refreshTimeline(deps, incident.issue);
  return { outcome, error: null, proposal: null };
}

function decisionSteps(outcome: Outcome, actor: string): AuditStep[] {
  const incident = outcome.incident.issue;
  return [
    {
      kind: "diagnosis",
      incident,
      actor,
      data: {
        runbook: outcome.diagnosis?.runbook?.id ?? null,
        confidence: outcome.diagnosis?.confidence ?? null,
        level: outcome.diagnosis?.level ?? null,
        recentChanges: outcome.recentChanges?.changes.map((c) => c.sha) ?? null,
        decidedBy: outcome.diagnosis?.decidedBy ?? "rules",
        service: outcome.resolution?.service ?? null,
        environment: outcome.resolution?.environment ?? null,
        evidenceHash: outcome.plan?.evidenceHash ?? null,
      },
    },
    {
      kind: "decision",
      incident,
      actor,
      data: {
        decision: outcome.decision,
        summary: outcome.summary,
        change:
          outcome.plan === null
            ? null
            : {
                file: outcome.plan.target.file,
                field: outcome.plan.field,
                before: outcome.plan.before,
                after: outcome.plan.after,
              },
        rules: outcome.policy?.rules ?? [],
      },
    },
  ];
}

/** The decision as a comment on the incident issue, updated in place when the incident is re-run. */
async function reportOutcome(deps: FlowDeps, outcome: Outcome, dryRun: boolean): Promise<void> {
  const issue = outcome.incident.issue;
  if (issue === null) return;
  const head = await deps.audit.head().catch(() => undefined);
  const title =
    outcome.decision === "propose" && dryRun
      ? `### Remedy dry run: would open a PR to ${describeChange(outcome.plan as NonNullable<Outcome["plan"]>)}\nNothing was written. Comment \`/propose\` to open this PR.`
      : outcome.decision === "deny"
        ? "### Remedy: the change is denied by policy"
        : outcome.decision === "escalate"
          ? "### Remedy: a human must act"
          : "### Remedy: nothing to do";
  const body = `${DECISION_MARKER}\n${title}\n\n${renderPacket(outcome, head === undefined ? {} : { ledgerHead: head })}`;
  await deps.forge.upsertComment(issue, DECISION_MARKER, body);
  if (outcome.decision === "escalate") await deps.forge.addLabels(issue, ["needs-human"]);
}

/** An escalation or an opened PR goes to the `notify:` channels; the owners are mentioned. */
export async function notifyResult(
  deps: FlowDeps,
  repository: Repository,
  result: IncidentResult,
): Promise<IncidentResult> {
  const outcome = result.outcome;
  if (outcome === null) return result;
  const service = outcome.resolution?.ok ? outcome.resolution.service : null;
  const mentions = service === null ? [] : (repository.config.services[service]?.owners ?? []);
  const issue = outcome.incident.issue;
  const issueUrl = issue === null ? null : `https://github.com/${deps.forge.repo}/issues/${issue}`;
  if (outcome.decision === "escalate")
    await notify(deps, repository.config, {
      event: "escalation",
      title: `A human must act${service === null ? "" : ` on ${service}`}`,
      text: outcome.summary.slice(0, 1_000),
      url: issueUrl,
      incident: issue,
      pr: null,
      mentions,
    });
  else if (result.proposal?.status === "opened" && outcome.plan !== null)
    await notify(deps, repository.config, {
      event: "pr_opened",
      title: `Remedy opened a PR: ${describeChange(outcome.plan)}`,
      text: `Risk ${outcome.plan.risk}; ${outcome.plan.approvals} approval(s) needed. Review and merge it, or close it to reject.`,
      url: result.proposal.pr.url,
      incident: issue,
      pr: result.proposal.pr.number,
      mentions,
    });
  return result;
}

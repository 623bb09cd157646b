import { InvalidFileError } from "../config/invalid-file-error.js";
import { describeChange, planIncident, type Outcome } from "./plan-incident.js";
import { renderPacket } from "../proposal/approval-packet.js";
import { fitBody } from "../text/safe-text.js";
import { fenced } from "../proposal/markdown.js";
import { loadRepository, type Repository } from "../repo/load-repository.js";
import type { Incident } from "../signals/incident.js";
import { auditSteps, type AuditStep } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { openProposal, type ProposalResult } from "./open-proposal.js";
import { pauseOf, pausedNotice, type Pause } from "./pause-of.js";
import { rateWindowStart, recentRemedyPrs } from "./recent-remedy-prs.js";
import { repoAt } from "./repo-at.js";
import { withTargetLock } from "./with-target-lock.js";
import { notify } from "./notify.js";
import type { PullRequest } from "../forge/forge.js";

/** `auto` follows the repository's `mode`; `/dry-run` and `/propose` override it. */
export type WriteMode = "auto" | "dry-run" | "propose";

export interface IncidentResult {
  outcome: Outcome | null;
  error: string | null;
  proposal: ProposalResult | null;
}

export const DECISION_MARKER = "<!-- remedy:decision -->";

/**
 * incident → diagnosis → plan → policy → PR or comment. The whole loop up to the human gate.
 * `leading` audit steps (the signal that started it) are appended together with the diagnosis and
 * decision: one ledger write instead of two, in the same order.
 */
export async function handleIncident(
  deps: FlowDeps,
  incident: Incident,
  mode: WriteMode,
  actor: string,
  leading: AuditStep[] = [],
): Promise<IncidentResult> {
  const base = await deps.forge.defaultBranch();
  const baseSha = await deps.forge.branchHead(base);
  if (baseSha === null) throw new Error(`the default branch ${base} of ${deps.forge.repo} has no commits`);
  const reader = repoAt(deps.forge, baseSha);
  // One listing serves the rate limit (recent ones) and the one-PR-per-field rule (open ones); it
  // does not depend on the files, so it is fetched while they load.
  const listing = ownRemedyPrs(deps);
  listing.catch(() => undefined); // awaited below; an early return must not leave it unhandled

  let repository: Repository;
  try {
    repository = await loadRepository(reader);
  } catch (error) {
    if (!(error instanceof InvalidFileError)) throw error;
    await reportInvalidFiles(deps, incident, error, actor, leading);
    return { outcome: null, error: error.message, proposal: null };
  }

  // A paused scope plans nothing and writes nothing but one acknowledgement (SPEC §3.4 `none`).
  const pause = await pauseOf(deps, { config: repository.config, incident: incident.issue });
  if (pause !== null && pause.mode === "off") {
    await listing.catch(() => undefined);
    await reportPaused(deps, incident, pause, actor, leading);
    return { outcome: null, error: null, proposal: null };
  }

  const evidence = deps.evidence?.(repository.config);
  const diagnoser = deps.diagnoser?.(repository.config);
  const plan = (remedyPrs: readonly PullRequest[]): Promise<Outcome> =>
    planIncident({
      repo: deps.forge.repo,
      repository,
      reader,
      history: reader,
      baseSha,
      incident,
      now: deps.now(),
      recentPrs: recentRemedyPrs(remedyPrs, deps.now()),
      botLogin: deps.botLogin,
      ...(evidence === undefined ? {} : { evidence }),
      ...(diagnoser === undefined ? {} : { diagnoser }),
    });
  const remedyPrs = await listing;
  const outcome = await plan(remedyPrs);
  const writeMode =
    pause?.mode === "dry-run"
      ? "dry-run"
      : mode === "auto"
        ? repository.config.mode === "dry-run"
          ? "dry-run"
          : "propose"
        : mode;
  if (outcome.decision !== "propose" || writeMode !== "propose" || outcome.plan === null)
    return notifyResult(deps, repository, await decide(deps, outcome, { writeMode, actor, leading }));

  // Incidents for the same target decide one at a time, each seeing the PRs opened before it: one
  // field gets one PR, and the rate limit counts PRs being opened, not only those already listed.
  const result = await withTargetLock(deps, outcome.plan, async () => {
    const fresh = await ownRemedyPrs(deps);
    const current = samePullRequests(fresh, remedyPrs) ? outcome : await plan(fresh);
    return decide(deps, current, { writeMode, actor, leading, open: { base, baseSha, remedyPrs: fresh } });
  });
  return notifyResult(deps, repository, result);
}

/** An escalation or an opened PR goes to the `notify:` channels; the owners are mentioned. */
async function notifyResult(
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

/**
 * Records the diagnosis and decision, then acts on it: the PR (when `open` is given and the decision
 * is still propose) or the decision as a comment.
 */
async function decide(
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
  // The diagnosis and decision go to the ledger while the proposal checks the branch rules; the
  // commit waits for them, because its trailer names the decision's hash.
  const appended = auditSteps(deps, [...how.leading, ...decisionSteps(outcome, how.actor)]);
  appended.catch(() => undefined); // awaited on every path below
  if (outcome.decision === "propose" && how.open !== undefined) {
    const proposal = await openProposal(deps, outcome, {
      ...how.open,
      decision: appended,
      actor: how.actor,
    });
    await appended;
    return { outcome, error: null, proposal };
  }
  await appended;
  await reportOutcome(deps, outcome, how.writeMode === "dry-run");
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

/**
 * Remedy's PRs (open, and the last hour's) as the rate limit and the one-PR-per-field rule count them:
 * only those Remedy's own App opened. A `remedy` label on someone else's PR counts for nothing.
 */
async function ownRemedyPrs(deps: FlowDeps): Promise<PullRequest[]> {
  const listed = await deps.forge.listRemedyPullRequests(rateWindowStart(deps.now()));
  return listed.filter((pr) => pr.author === deps.botLogin);
}

function samePullRequests(a: readonly PullRequest[], b: readonly PullRequest[]): boolean {
  const key = (prs: readonly PullRequest[]) =>
    prs
      .map((pr) => `${pr.number}:${pr.state}`)
      .sort()
      .join(",");
  return key(a) === key(b);
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

const PAUSE_MARKER = "<!-- remedy:paused-notice -->";

async function reportPaused(
  deps: FlowDeps,
  incident: Incident,
  pause: Pause,
  actor: string,
  leading: AuditStep[],
): Promise<void> {
  deps.log.info({ incident: incident.issue, level: pause.level }, "scope paused; nothing planned");
  await auditSteps(deps, [
    ...leading,
    {
      kind: "decision",
      incident: incident.issue,
      actor,
      data: { decision: "none", summary: `paused: ${pause.reason}`, level: pause.level },
    },
  ]);
  if (incident.issue === null) return;
  await deps.forge.upsertComment(
    incident.issue,
    PAUSE_MARKER,
    `${PAUSE_MARKER}\n${pausedNotice(pause, "Remedy did not plan or open anything for this incident")}`,
  );
}

async function reportInvalidFiles(
  deps: FlowDeps,
  incident: Incident,
  error: InvalidFileError,
  actor: string,
  leading: AuditStep[],
): Promise<void> {
  deps.log.warn(
    { incident: incident.issue, problems: error.problems.length },
    "repository files are invalid; failing closed",
  );
  await auditSteps(deps, [
    ...leading,
    {
      kind: "decision",
      incident: incident.issue,
      actor,
      data: { decision: "escalate", summary: "invalid repository files", problems: error.problems },
    },
  ]);
  if (incident.issue === null) return;
  await deps.forge.upsertComment(
    incident.issue,
    DECISION_MARKER,
    fitBody(
      `${DECISION_MARKER}\n### Remedy cannot act: the repository's Remedy files are invalid\nNo PR was opened (Remedy fails closed). Fix these and comment \`/diagnose\`:\n\n${fenced(error.message)}`,
    ),
  );
  await deps.forge.addLabels(incident.issue, ["needs-human"]);
}

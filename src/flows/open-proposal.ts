import { trailersFor } from "../audit/index.js";
import type { CheckRunInput, FinishPullRequestInput, PullRequest } from "../forge/forge.js";
import { parsePacket, renderPacket } from "../proposal/approval-packet.js";
import { fitTitle } from "../text/safe-text.js";
import { branchName, commitSubject, type Plan } from "../proposal/plan.js";
import { planHash } from "../proposal/plan-hash.js";
import { IRREVERSIBLE_LABEL } from "../proposal/no-revert-reason.js";
import { approvalGate } from "../policy/separate-approver.js";
import { requestedValues } from "../signals/requested-values.js";
import { gateCheckRun } from "./approval-gate-of.js";
import { auditSteps, type AuditStep } from "./audit-step.js";
import { fieldMovedOnBase } from "./commit-edit.js";
import type { FlowDeps } from "./deps.js";
import type { Outcome } from "./plan-incident.js";
import { latestPlanHash } from "./own-plan.js";
import { publishChange, type Publication } from "./publish-change.js";
import { vouchForBranch } from "./vouch-for-branch.js";

export type ProposalResult =
  | { status: "opened" | "reused"; pr: PullRequest; branch: string }
  | { status: "blocked"; reason: string; branch: string };

/** Ledger steps that must land once: with a later record, or on their own if that never comes. */
export interface PendingSteps {
  readonly steps: readonly AuditStep[];
  landed: boolean;
}

const LINK_MARKER = "<!-- remedy:proposal -->";
export const POLICY_CHECK = "remedy/policy";
const MAX_COMMIT_ATTEMPTS = 3;

interface ProposalContext {
  base: string;
  baseSha: string;
  /**
   * The diagnosis and decision for the ledger. They land with the PR's own record once the PR is
   * visible (off the way to it), or before the commit when the ledger is empty (the commit's
   * `Remedy-Audit` trailer must name an entry); `landed` says they did. When they have not, the
   * caller records them (no PR, a reused one, a failed attempt).
   */
  decision: PendingSteps;
  actor: string;
  /** Remedy's PRs as listed when planning (every open one included). */
  remedyPrs: readonly PullRequest[];
}

/**
 * Opens the PR for a planned change. The deterministic branch is the lock: a second attempt for the
 * same incident finds it and reuses the PR, across retries, redeliveries and replicas.
 */
export async function openProposal(
  deps: FlowDeps,
  planned: Outcome,
  context: ProposalContext,
): Promise<ProposalResult> {
  const plan = planned.plan as Plan;
  const branch = branchName(plan);
  const sameTarget = openPullRequestForTarget(context.remedyPrs, plan, branch);
  if (sameTarget !== null) {
    await linkIncident(
      deps,
      plan,
      `An open Remedy PR already changes ${plan.field} in \`${plan.target.file}\`: ${sameTarget.url}. Remedy does not open a second PR for the same field; review that one.`,
    );
    return { status: "reused", pr: sameTarget, branch: sameTarget.head };
  }
  const checked = await checkBeforeLock(deps, planned, context);
  if ("blocked" in checked) {
    await linkIncident(deps, plan, checked.blocked);
    return { status: "blocked", reason: checked.blocked, branch };
  }
  return publishChange(deps, proposalPublication(deps, checked, context, branch));
}

interface CheckedProposal {
  outcome: Outcome;
  plan: Plan;
  protection: Protection;
}

type Protection = { block: string | null; readable: boolean; detail: string };

/**
 * The forge cannot delete a branch, so a branch created for a commit that is then refused would stay
 * behind as a lock with no PR. The base is checked once more before taking the lock (at the same
 * time as the branch rules: they do not depend on each other).
 */
async function checkBeforeLock(
  deps: FlowDeps,
  planned: Outcome,
  context: ProposalContext,
): Promise<CheckedProposal | { blocked: string }> {
  let outcome = planned;
  let plan = outcome.plan as Plan;
  const [protection, moved] = await Promise.all([
    checkProtection(deps, plan, context.base),
    baseMovedUnder(deps, plan, context),
  ]);
  if (plan.autoMerge && !protection.readable) {
    // Auto-merge leans on branch protection to hold the merge for the reviews: unverified, it stays off.
    plan = {
      ...plan,
      autoMerge: false,
      riskFlags: [
        ...plan.riskFlags,
        "auto-merge withheld: the base branch's protection could not be verified",
      ],
    };
    outcome = { ...outcome, plan };
  }
  if (protection.block !== null) return { blocked: protection.block };
  if (moved !== null) return { blocked: moved };
  return { outcome, plan, protection };
}

/** What a proposal says at each step of publishing its branch and PR. */
function proposalPublication(
  deps: FlowDeps,
  checked: CheckedProposal,
  context: ProposalContext,
  branch: string,
): Publication<ProposalResult> {
  const { outcome, plan, protection } = checked;
  const requestedBy = requestersOfValue(deps, outcome, plan, context.actor);
  const separateApprover = outcome.policy?.separateApprover ?? false;
  const gate = approvalGate({
    required: separateApprover,
    approvals: plan.approvals,
    requesters: requestedBy,
    reviews: [],
    reviewers: plan.reviewers,
  });
  // The trailer anchors the ledger as it stood when the commit was made; the decision and the PR's
  // record follow it in the chain, naming the commit.
  const message = (ledgerHead: string | undefined): string =>
    `${commitSubject(plan)}\n\nRunbook ${plan.runbook}; incident key ${plan.incidentKey.slice(0, 12)}.\n\n${trailersFor({ incident: plan.incident, evidence: plan.evidenceHash, audit: ledgerHead === undefined ? [] : [ledgerHead] })}`;
  const finish = (pr: PullRequest, sha: string): FinishPullRequestInput => ({
    labels: proposalLabels(plan),
    reviewers: splitReviewers(plan.reviewers, deps.botLogin),
    checkRun: gateCheckRun(policyCheckRun(plan, protection, context.base, sha), gate),
    autoMerge: plan.autoMerge,
    ...linkFor(plan, openedText(plan, pr)),
  });
  return {
    plan,
    branch,
    base: context.base,
    baseSha: context.baseSha,
    recheckBase: true,
    attempts: MAX_COMMIT_ATTEMPTS,
    message: (ledgerHead) => Promise.resolve(message(ledgerHead)),
    messageBeforeLock: true,
    title: fitTitle(commitSubject(plan)),
    body: (ledgerHead) =>
      renderPacket(outcome, {
        ...(ledgerHead === undefined ? {} : { ledgerHead }),
        protection: protection.detail,
        ...(gate.applies ? { approvers: gate.detail } : {}),
      }),
    finish,
    // An empty ledger has no entry to anchor: the steps land first, and the trailer names the decision.
    anchor: async () => {
      if (context.decision.landed) return undefined;
      const entries = await auditSteps(deps, [...context.decision.steps]);
      if (entries.length > 0) context.decision.landed = true;
      return entries.at(-1)?.hash;
    },
    record: (pr, sha) => [
      ...(context.decision.landed ? [] : context.decision.steps),
      proposalRecord(plan, pr, sha, context.actor, requestedBy),
    ],
    reuse: async (existing) => {
      deps.log.info({ incident: plan.incident, pr: existing.number }, "branch exists; reusing its PR");
      await completeHalfMade(deps, existing, context.actor, { plan, finish });
      // A re-fire keeps the whole sentence, not a bare link: people read this comment to act.
      await linkIncident(deps, plan, openedText(parsePacket(existing.body) ?? plan, existing));
      return { status: "reused", pr: existing, branch };
    },
    refuse: (why) => refuseBranch(deps, plan, branch, context.actor, why),
    block: async ({ blocked }) => {
      // Only reachable when the base moved in the instant between the check above and the branch, or
      // an earlier attempt left the branch: say which branch holds the lock so a person can free it.
      const reason = `${blocked} The branch \`${branch}\` has no PR and holds this incident's lock: delete it before \`/diagnose\`.`;
      await linkIncident(deps, plan, reason);
      return { status: "blocked", reason, branch };
    },
    halfMade: (what, error) => reportHalfMade(deps, plan, branch, what, error),
    opened: (pr) => {
      // Called once the record (and the steps with it) landed.
      context.decision.landed = true;
      deps.log.info({ incident: plan.incident, pr: pr.number, branch }, "proposal opened");
      return { status: "opened", pr, branch };
    },
  };
}

function proposalLabels(plan: Plan): string[] {
  return [
    "remedy",
    `env:${plan.environment}`,
    `risk:${plan.risk}`,
    `service:${plan.service}`,
    ...(plan.irreversible === undefined ? [] : [IRREVERSIBLE_LABEL]),
  ];
}

/** The ledger record that makes the PR Remedy's: the plan's hash and who chose the value. */
function proposalRecord(
  plan: Plan,
  pr: PullRequest,
  sha: string,
  actor: string,
  requestedBy: string[],
): AuditStep {
  return {
    kind: "pr.opened",
    incident: plan.incident,
    pr: pr.number,
    sha,
    actor,
    data: {
      branch: pr.head,
      title: pr.title,
      service: plan.service,
      environment: plan.environment,
      file: plan.target.file,
      field: plan.field,
      before: plan.before,
      after: plan.after,
      planHash: planHash(plan),
      requestedBy,
    },
  };
}

/**
 * Who chose the value (SPEC §3.3): a value is a person's only when their trusted text named it (the
 * issue's author, or the writer whose command named it); a runbook's rule (`+2`) is nobody's.
 */
function requestersOfValue(deps: FlowDeps, outcome: Outcome, plan: Plan, actor: string): string[] {
  const named = requestedValues(outcome.incident.trustedText);
  if ((plan.field === "replicas" ? named.replicas : named.tag) === undefined) return [];
  return [...new Set([outcome.incident.author?.login, actor])].filter(
    (login): login is string =>
      login !== undefined && login !== deps.botLogin && login !== "alertmanager" && login !== "remedy",
  );
}

/**
 * A commit is on Remedy's branch but the PR could not be opened or finished: the incident is told what
 * failed and how to retry, and the error goes on so the accepted work is retried. The next attempt
 * finds Remedy's own branch and completes the PR (SPEC §1 invariant 7).
 */
async function reportHalfMade(
  deps: FlowDeps,
  plan: Plan,
  branch: string,
  what: string,
  error: unknown,
): Promise<never> {
  const message = error instanceof Error ? error.message : String(error);
  deps.log.error({ incident: plan.incident, branch, err: error }, "proposal left half-made");
  await linkIncident(
    deps,
    plan,
    `Remedy committed the change to \`${branch}\` but could not ${what}: ${message.slice(0, 300)}. Remedy retries on its own; comment \`/propose\` to retry now. Nothing was merged.`,
  ).catch(() => undefined);
  throw error;
}

/**
 * A PR Remedy opened whose finish or ledger record never landed (a failed call, a crash between the
 * two) is finished now: the record is what lets Remedy act on it later (ownPlan), its labels are what
 * lists it, and its `remedy/policy` check and reviewers are what the human gate needs. The whole
 * finish is redone only when this attempt planned the same edit the PR carries; otherwise the labels.
 */
async function completeHalfMade(
  deps: FlowDeps,
  pr: PullRequest,
  actor: string,
  now: { plan: Plan; finish: (pr: PullRequest, sha: string) => FinishPullRequestInput },
): Promise<void> {
  const own = parsePacket(pr.body);
  if (own === null || latestPlanHash(await deps.audit.entries(), pr.number) !== null) return;
  const baseSha = await deps.forge.branchHead(pr.base);
  const headSha = await deps.forge.branchHead(pr.head);
  if (baseSha === null || headSha === null || (await vouchForBranch(deps, own, baseSha, headSha)) !== null)
    return;
  const same =
    now.plan.target.file === own.target.file &&
    now.plan.field === own.field &&
    now.plan.before === own.before &&
    now.plan.after === own.after;
  if (same) await deps.forge.finishPullRequest(pr, now.finish(pr, headSha));
  else
    await deps.forge.addLabels(pr.number, [
      "remedy",
      `env:${own.environment}`,
      `risk:${own.risk}`,
      `service:${own.service}`,
    ]);
  await auditSteps(
    deps,
    [
      {
        kind: "pr.opened",
        incident: own.incident,
        pr: pr.number,
        sha: null,
        actor,
        data: { branch: pr.head, title: pr.title, completed: true, planHash: planHash(own) },
      },
    ],
    { mustLand: true },
  );
}

/** Someone else's branch under Remedy's name: never adopted; the incident is told, the ledger records it. */
async function refuseBranch(
  deps: FlowDeps,
  plan: Plan,
  branch: string,
  actor: string,
  why: string,
): Promise<ProposalResult> {
  const reason = `Remedy did not open a PR: the branch \`${branch}\` already exists and Remedy cannot vouch for it: ${why}. Remedy only opens PRs on branches it wrote itself. Delete the branch (after checking who pushed it and why), then comment \`/propose\`.`;
  deps.log.warn({ incident: plan.incident, branch }, "refused a branch Remedy did not write");
  await auditSteps(deps, [{ kind: "branch.refused", incident: plan.incident, actor, data: { branch, why } }]);
  await linkIncident(deps, plan, reason);
  return { status: "blocked", reason, branch };
}

/** A refusal when the base branch moved since planning and the planned field no longer holds `before`. */
async function baseMovedUnder(deps: FlowDeps, plan: Plan, context: ProposalContext): Promise<string | null> {
  const now = await fieldMovedOnBase(deps, plan, context.baseSha, await deps.forge.branchHead(context.base));
  if (now === null) return null;
  return `While Remedy was planning, \`${context.base}\` moved and the ${plan.field} in \`${plan.target.file}\` is now ${now}, not \`${plan.before}\`: a human already changed it. Remedy stopped without creating a branch; comment \`/diagnose\` to plan again.`;
}

function openPullRequestForTarget(
  remedyPrs: readonly PullRequest[],
  plan: Plan,
  branch: string,
): PullRequest | null {
  const open = remedyPrs.filter((pr) => pr.state === "open" && pr.head !== branch);
  return (
    open.find((pr) => {
      const other = parsePacket(pr.body);
      return other !== null && other.target.file === plan.target.file && other.field === plan.field;
    }) ?? null
  );
}

/**
 * The `remedy/policy` check run of a proposal: success when the base's rules are readable (a block
 * never gets this far on a new PR; on a re-check it fails the run), failure when they are not.
 */
export function policyCheckRun(
  plan: Plan,
  protection: { block: string | null; readable: boolean; detail: string },
  base: string,
  headSha: string,
): CheckRunInput {
  const ok = protection.readable && protection.block === null;
  return {
    name: POLICY_CHECK,
    headSha,
    status: "completed",
    conclusion: ok ? "success" : "failure",
    title: ok
      ? `Policy allows: ${commitSubject(plan)}`
      : protection.readable
        ? "No required review on the base branch"
        : "Branch protection unverified",
    summary: ok
      ? `Policy decision: propose. ${plan.approvals} approval(s) required. ${protection.detail}`
      : protection.block !== null
        ? `The base branch \`${base}\` requires no approving review, so nothing would stop this ${plan.environment} change from merging unreviewed. Protect it (a ruleset requiring a pull request with at least 1 approval, or classic branch protection with required reviews), then re-run this check.`
        : `Remedy could not read the branch rules of ${base} (${protection.detail}). It never assumes a human gate exists: make the rules readable (Metadata: read; Administration: read for classic protection) or verify them, then re-run this check.`,
  };
}

/** The human gate is checked, not assumed: prod needs a required review on the base branch. */
export async function checkProtection(
  deps: FlowDeps,
  plan: Plan,
  base: string,
): Promise<{ block: string | null; readable: boolean; detail: string }> {
  const needsGate = plan.environment === "prod" || plan.environment === "production";
  const protection = await deps.forge.protection(base);
  if (!protection.readable)
    return { block: null, readable: false, detail: `unverified: ${protection.detail}` };
  if (needsGate && protection.requiredApprovals < 1) {
    return {
      block: `Remedy did not open a PR: the base branch \`${base}\` has no required approving review, so nothing would stop this ${plan.environment} change from merging unreviewed. Protect it (Settings → Rules → Rulesets: require a pull request with at least 1 approval, or classic branch protection with required reviews), then comment \`/propose\`.`,
      readable: true,
      detail: protection.detail,
    };
  }
  return { block: null, readable: true, detail: `ok: ${protection.detail.replace(/^ok:\s*/, "")}` };
}

function openedText(plan: Plan, pr: PullRequest): string {
  return `Remedy opened ${pr.url} to ${commitSubject(plan)}. A reviewer must approve and merge it; Remedy never merges.`;
}

async function linkIncident(deps: FlowDeps, plan: Plan, text: string): Promise<void> {
  const { link } = linkFor(plan, text);
  if (link !== undefined) await deps.forge.upsertComment(link.issue, link.marker, link.body);
}

/** The incident issue's one comment about this proposal, updated in place on every run. */
function linkFor(plan: Plan, text: string): { link?: { issue: number; marker: string; body: string } } {
  if (plan.incident === null) return {};
  return { link: { issue: plan.incident, marker: LINK_MARKER, body: `${LINK_MARKER}\n${text}` } };
}

/** `@org/team` is a team review request, `@user` a user one; the bot cannot review its own PR. */
export function splitReviewers(
  reviewers: readonly string[],
  botLogin: string,
): { users: string[]; teams: string[] } {
  const users: string[] = [];
  const teams: string[] = [];
  for (const reviewer of reviewers) {
    const name = reviewer.replace(/^@/, "");
    if (name.includes("/")) teams.push(name.split("/")[1] as string);
    else if (name !== botLogin.replace(/\[bot\]$/, "") && name !== botLogin) users.push(name);
  }
  return { users: [...new Set(users)], teams: [...new Set(teams)] };
}

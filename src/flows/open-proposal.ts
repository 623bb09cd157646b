import { trailersFor, type LedgerEntry } from "../audit/index.js";
import type { CheckRunInput, PullRequest } from "../forge/forge.js";
import { editField, readField } from "../manifests/index.js";
import { parsePacket, renderPacket } from "../proposal/approval-packet.js";
import { fitTitle } from "../text/safe-text.js";
import { branchName, commitSubject, type Plan } from "../proposal/plan.js";
import { planHash } from "../proposal/plan-hash.js";
import { IRREVERSIBLE_LABEL } from "../proposal/no-revert-reason.js";
import { approvalGate } from "../policy/separate-approver.js";
import { requestedValues } from "../signals/requested-values.js";
import { gateCheckRun } from "./approval-gate-of.js";
import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import type { Outcome } from "./plan-incident.js";
import { latestPlanHash } from "./own-plan.js";
import { vouchForBranch } from "./vouch-for-branch.js";

export type ProposalResult =
  | { status: "opened" | "reused"; pr: PullRequest; branch: string }
  | { status: "blocked"; reason: string; branch: string };

const LINK_MARKER = "<!-- remedy:proposal -->";
export const POLICY_CHECK = "remedy/policy";
const MAX_COMMIT_ATTEMPTS = 3;

interface ProposalContext {
  base: string;
  baseSha: string;
  /** The ledger entries being appended, the decision last: the commit trailer names its hash. */
  decision: Promise<readonly LedgerEntry[]>;
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
  let outcome = planned;
  let plan = outcome.plan as Plan;
  const branch = branchName(plan);
  const { forge } = deps;

  const sameTarget = openPullRequestForTarget(context.remedyPrs, plan, branch);
  if (sameTarget !== null) {
    await linkIncident(
      deps,
      plan,
      `An open Remedy PR already changes ${plan.field} in \`${plan.target.file}\`: ${sameTarget.url}. Remedy does not open a second PR for the same field; review that one.`,
    );
    return { status: "reused", pr: sameTarget, branch: sameTarget.head };
  }

  // The forge cannot delete a branch, so a branch created for a commit that is then refused would
  // stay behind as a lock with no PR. Check the base once more before taking the lock (at the same
  // time as the branch rules: they do not depend on each other).
  const [protection, moved, entries] = await Promise.all([
    checkProtection(deps, plan, context.base),
    baseMovedUnder(deps, plan, context),
    // Before the lock: a ledger that cannot be written stops the proposal before any branch exists.
    context.decision,
  ]);
  const decisionHash = entries.at(-1)?.hash ?? null;
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
  if (protection.block !== null) {
    await linkIncident(deps, plan, protection.block);
    return { status: "blocked", reason: protection.block, branch };
  }
  if (moved !== null) {
    await linkIncident(deps, plan, moved);
    return { status: "blocked", reason: moved, branch };
  }

  // The base is read again as the lock is taken: a move in between is caught before the commit.
  const [created, baseAtLock] = await Promise.all([
    forge.createBranch(branch, context.baseSha),
    forge.branchHead(context.base),
  ]);
  if (created === "exists") {
    const existing = await forge.findPullRequest(branch);
    if (existing !== null && existing.author !== deps.botLogin)
      return refuseBranch(
        deps,
        plan,
        branch,
        context.actor,
        `a PR from it (#${existing.number}) was opened by @${existing.author}, not by Remedy`,
      );
    if (existing !== null) {
      deps.log.info({ incident: plan.incident, pr: existing.number }, "branch exists; reusing its PR");
      await completeHalfMade(deps, existing, context.actor);
      // A re-fire keeps the whole sentence, not a bare link: people read this comment to act.
      await linkIncident(deps, plan, openedText(parsePacket(existing.body) ?? plan, existing));
      return { status: "reused", pr: existing, branch };
    }
  }

  const commit = await commitChange(deps, plan, branch, context, decisionHash, {
    base: baseAtLock,
    // A branch just created is at the base: the first attempt needs no read of it.
    head: created === "created" ? context.baseSha : null,
  });
  if ("refused" in commit) return refuseBranch(deps, plan, branch, context.actor, commit.refused);
  if ("blocked" in commit) {
    // Only reachable when the base moved in the instant between the check above and the branch, or
    // an earlier attempt left the branch: say which branch holds the lock so a person can free it.
    const reason = `${commit.blocked} The branch \`${branch}\` has no PR and holds this incident's lock: delete it before \`/diagnose\`.`;
    await linkIncident(deps, plan, reason);
    return { status: "blocked", reason, branch };
  }

  const ledgerHead = await deps.audit.head().catch(() => undefined);
  const requestedBy = requestersOfValue(deps, outcome, plan, context.actor);
  const gate = approvalGate({
    required: outcome.policy?.separateApprover ?? false,
    approvals: plan.approvals,
    requesters: requestedBy,
    reviews: [],
    reviewers: plan.reviewers,
  });
  const body = renderPacket(outcome, {
    ...(ledgerHead === undefined ? {} : { ledgerHead }),
    protection: protection.detail,
    ...(gate.applies ? { approvers: gate.detail } : {}),
  });
  let pr: PullRequest;
  try {
    pr = await forge.openPullRequest({
      head: branch,
      base: context.base,
      title: fitTitle(commitSubject(plan)),
      body,
    });
  } catch (error) {
    // An ambiguous or racing create: read before writing again.
    const existing = await forge.findPullRequest(branch).catch(() => null);
    if (existing === null) return reportHalfMade(deps, plan, branch, "open the pull request", error);
    pr = existing;
  }
  try {
    await finishProposal(deps, plan, pr, {
      protection,
      base: context.base,
      sha: commit.sha,
      actor: context.actor,
      requestedBy,
      separateApprover: outcome.policy?.separateApprover ?? false,
    });
  } catch (error) {
    return reportHalfMade(deps, plan, branch, `finish ${pr.url}`, error);
  }
  deps.log.info({ incident: plan.incident, pr: pr.number, branch }, "proposal opened");
  return { status: "opened", pr, branch };
}

/** Labels, reviewers, the policy check and the incident link, then the ledger record that makes it Remedy's. */
async function finishProposal(
  deps: FlowDeps,
  plan: Plan,
  pr: PullRequest,
  at: {
    protection: { block: string | null; readable: boolean; detail: string };
    base: string;
    sha: string;
    actor: string;
    requestedBy: string[];
    separateApprover: boolean;
  },
): Promise<void> {
  const gate = approvalGate({
    required: at.separateApprover,
    approvals: plan.approvals,
    requesters: at.requestedBy,
    reviews: [],
    reviewers: plan.reviewers,
  });
  await deps.forge.finishPullRequest(pr, {
    labels: [
      "remedy",
      `env:${plan.environment}`,
      `risk:${plan.risk}`,
      `service:${plan.service}`,
      ...(plan.irreversible === undefined ? [] : [IRREVERSIBLE_LABEL]),
    ],
    reviewers: splitReviewers(plan.reviewers, deps.botLogin),
    checkRun: gateCheckRun(policyCheckRun(plan, at.protection, at.base, at.sha), gate),
    autoMerge: plan.autoMerge,
    ...linkFor(plan, openedText(plan, pr)),
  });
  await auditSteps(
    deps,
    [
      {
        kind: "pr.opened",
        incident: plan.incident,
        pr: pr.number,
        sha: at.sha,
        actor: at.actor,
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
          requestedBy: at.requestedBy,
        },
      },
    ],
    { mustLand: true },
  );
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
 * A PR Remedy opened whose ledger record never landed (a crash between the two) is finished now: the
 * record is what lets Remedy act on it later (ownPlan), and its labels are what lists it.
 */
async function completeHalfMade(deps: FlowDeps, pr: PullRequest, actor: string): Promise<void> {
  const own = parsePacket(pr.body);
  if (own === null || latestPlanHash(await deps.audit.entries(), pr.number) !== null) return;
  const baseSha = await deps.forge.branchHead(pr.base);
  const headSha = await deps.forge.branchHead(pr.head);
  if (baseSha === null || headSha === null || (await vouchForBranch(deps, own, baseSha, headSha)) !== null)
    return;
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
  const baseNow = await deps.forge.branchHead(context.base);
  if (baseNow === null || baseNow === context.baseSha) return null;
  const onBase = await deps.forge.readFile(plan.target.file, baseNow);
  const value = onBase === null ? null : readField(onBase, plan.target, plan.field);
  if (value !== null && value.ok && value.value === plan.before) return null;
  return `While Remedy was planning, \`${context.base}\` moved and the ${plan.field} in \`${plan.target.file}\` is now ${value?.ok ? `\`${value.value}\`` : "unreadable"}, not \`${plan.before}\`: a human already changed it. Remedy stopped without creating a branch; comment \`/diagnose\` to plan again.`;
}

/**
 * Commits the one-field edit, compare-and-swap on the branch head. If the branch moved (another
 * replica got there), re-read and recompute; if the value on the base changed under us, stop.
 */
async function commitChange(
  deps: FlowDeps,
  plan: Plan,
  branch: string,
  context: ProposalContext,
  decisionHash: string | null,
  first: { base: string | null; head: string | null },
): Promise<{ sha: string } | { blocked: string } | { refused: string }> {
  const { forge } = deps;
  const message = `${commitSubject(plan)}\n\nRunbook ${plan.runbook}; incident key ${plan.incidentKey.slice(0, 12)}.\n\n${trailersFor({ incident: plan.incident, evidence: plan.evidenceHash, audit: decisionHash === null ? [] : [decisionHash] })}`;
  for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
    // The first attempt uses what was read as the lock was taken; after a lost compare-and-swap
    // both the base and the branch are read again.
    const baseNow = attempt === 1 ? first.base : await forge.branchHead(context.base);
    if (baseNow !== null && baseNow !== context.baseSha) {
      const onBase = await forge.readFile(plan.target.file, baseNow);
      const value = onBase === null ? null : readField(onBase, plan.target, plan.field);
      if (value === null || !value.ok || value.value !== plan.before) {
        return {
          blocked: `While Remedy was committing, \`${context.base}\` moved and the ${plan.field} in \`${plan.target.file}\` is now ${value?.ok ? `\`${value.value}\`` : "unreadable"}, not \`${plan.before}\`: a human already changed it. Remedy stopped; comment \`/diagnose\` to plan again.`,
        };
      }
    }
    const head = attempt === 1 && first.head !== null ? first.head : await forge.branchHead(branch);
    if (head === null) throw new Error(`branch ${branch} vanished while committing`);
    // Anything already on the branch must be Remedy's own planned edit before Remedy builds on it.
    if (head !== context.baseSha) {
      const refusal = await vouchForBranch(deps, plan, context.baseSha, head);
      if (refusal !== null) return { refused: refusal };
    }
    const text = await forge.readFile(plan.target.file, head);
    if (text === null)
      return { blocked: `${plan.target.file} no longer exists on ${branch}; nothing was committed.` };
    const current = readField(text, plan.target, plan.field);
    if (current.ok && current.value === plan.after && head !== context.baseSha) return { sha: head };
    if (!current.ok || current.value !== plan.before) {
      return {
        blocked: `The ${plan.field} in \`${plan.target.file}\` is now ${current.ok ? `\`${current.value}\`` : "unreadable"}, not \`${plan.before}\` as planned: someone already changed it. Remedy stopped without opening a PR; comment \`/diagnose\` to plan again.`,
      };
    }
    const edited = editField(text, plan.target, plan.field, plan.after);
    if (!edited.ok) return { blocked: `Remedy could not edit \`${plan.target.file}\`: ${edited.reason}` };
    const result = await forge.commitFile({
      branch,
      expectedHeadSha: head,
      path: plan.target.file,
      content: edited.text,
      message,
    });
    if (result.ok) return { sha: result.sha };
    deps.log.warn({ incident: plan.incident, branch, attempt }, "branch moved during commit; retrying");
  }
  return {
    blocked: `The branch ${branch} kept moving while Remedy committed (${MAX_COMMIT_ATTEMPTS} attempts); nothing was opened. Comment \`/propose\` to try again.`,
  };
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

import type { FinishPullRequestInput, PullRequest } from "../forge/forge.js";
import { GENESIS } from "../audit/index.js";
import type { Plan } from "../proposal/plan.js";
import { auditSteps, type AuditStep } from "./audit-step.js";
import { editField, readField } from "../manifests/index.js";
import { commitEdit, type CommitEditResult } from "./commit-edit.js";
import { followUp, type FlowDeps } from "./deps.js";

/**
 * One change to publish: the plan whose one field edit goes on the branch, and what the caller (a
 * proposal, a revert) says at each step. The deterministic branch is the lock.
 */
export interface Publication<R> {
  plan: Plan;
  branch: string;
  base: string;
  baseSha: string;
  /** Read the base again as the branch is taken, so a move in between is caught before the commit. */
  recheckBase: boolean;
  /** Compare-and-swap attempts on the branch head before giving up. */
  attempts: number;
  /**
   * The commit message, given the ledger head as the commit is made (its `Remedy-Audit` anchor). Asked
   * once the branch is vouched for (a revert records its decision first), or before the lock when
   * `messageBeforeLock`: then the branch and the commit are one request (a proposal).
   */
  message: (ledgerHead: string | undefined) => Promise<string>;
  messageBeforeLock: boolean;
  /**
   * Called when the ledger is empty as the commit is about to be made: records what must precede the
   * commit and returns the new head, so the trailer names an entry (GENESIS names none). Without it,
   * or when nothing landed, the commit carries no `Remedy-Audit` anchor.
   */
  anchor?: () => Promise<string | undefined>;
  title: string;
  /** The PR body, given the ledger's head as the commit is on the branch. */
  body: (ledgerHead: string | undefined) => string;
  /** Labels, reviewers, check run, auto-merge and incident link for the PR at the commit. */
  finish: (pr: PullRequest, sha: string) => FinishPullRequestInput;
  /** Said after the PR is finished, before the ledger records it. */
  announce?: (pr: PullRequest) => Promise<void>;
  /** The ledger records that make the PR Remedy's, in order (they must land). */
  record: (pr: PullRequest, sha: string) => AuditStep[];
  /** The branch already has a PR by Remedy: reuse it. */
  reuse: (pr: PullRequest) => Promise<R>;
  /** The branch is someone else's, or holds what Remedy did not write. */
  refuse: (why: string) => Promise<R>;
  /** The commit could not be made as planned. */
  block: (failure: Extract<CommitEditResult, { blocked: string }>) => Promise<R>;
  /** A commit is on the branch but the PR could not be opened or finished: say so, then throw. */
  halfMade: (what: string, error: unknown) => Promise<never>;
  opened: (pr: PullRequest) => R;
}

/**
 * create-or-vouch the branch → commit the one edit → open-or-find the PR → finish it → ledger.
 * Every write that can fail ambiguously is read back before it is tried again: a branch that
 * exists, a PR whose creation got no answer, a PR whose ledger record never landed.
 */
export async function publishChange<R>(deps: FlowDeps, publication: Publication<R>): Promise<R> {
  const { forge } = deps;
  const { branch, baseSha } = publication;
  const taken = await takeBranch(deps, publication);
  if (taken.branch === "exists") {
    const existing = await forge.findPullRequest(branch);
    if (existing !== null && existing.author !== deps.botLogin)
      return publication.refuse(notRemedysPullRequest(existing));
    if (existing !== null) return publication.reuse(existing);
  }
  const commit =
    taken.sha !== null
      ? { sha: taken.sha }
      : await commitEdit(deps, {
          plan: publication.plan,
          branch,
          base: publication.base,
          baseSha,
          message: () => publication.message(taken.ledgerHead),
          attempts: publication.attempts,
          // A branch just created is at the base: the first attempt needs no read of it.
          first: { base: taken.baseAtLock, head: taken.branch === "created" ? baseSha : null },
        });
  if ("refused" in commit) return publication.refuse(commit.refused);
  if ("blocked" in commit) return publication.block(commit);
  const pr = await openOrFindPullRequest(deps, publication, taken.ledgerHead);
  try {
    // The PR is visible: what follows waits behind other work's writes still on the way to a PR
    // (deps.followUp), and is still awaited, so a failure is the half-made PR retried below.
    await followUp(deps, async () => {
      await forge.finishPullRequest(pr, publication.finish(pr, commit.sha));
      await publication.announce?.(pr);
      await auditSteps(deps, publication.record(pr, commit.sha), { mustLand: true });
    });
  } catch (error) {
    return publication.halfMade(`finish ${pr.url}`, error);
  }
  return publication.opened(pr);
}

interface TakenBranch {
  branch: "created" | "exists";
  /** Remedy's commit of the edit when it landed with the branch; null: commit it now. */
  sha: string | null;
  /** The base as read while taking the branch; null when not read. */
  baseAtLock: string | null;
  /** The ledger head as the commit was made (its trailer and the PR body name it). */
  ledgerHead: string | undefined;
}

/**
 * Takes the lock. When the edit and its message are known before the lock (a proposal), the branch
 * and the commit go in one request after the base is read again: a moved base takes the slow path,
 * which says what moved. Without them, or when that request has no clear answer, the branch alone;
 * then commitEdit reads what is on it and vouches for it before building on it.
 */
async function takeBranch<R>(deps: FlowDeps, publication: Publication<R>): Promise<TakenBranch> {
  const { forge } = deps;
  const { branch, baseSha, plan } = publication;
  const ledgerHead = deps.audit
    .head()
    .then((head) => (head === GENESIS ? publication.anchor?.() : head))
    .catch(() => undefined);
  if (publication.messageBeforeLock && publication.recheckBase) {
    const [edit, baseNow, head, branchNow] = await Promise.all([
      editOnBase(deps, plan, baseSha),
      forge.branchHead(publication.base),
      ledgerHead,
      forge.branchHead(branch),
    ]);
    // A branch already there (an earlier attempt, a replica, someone else) is read, not written to.
    if (branchNow !== null) return { branch: "exists", sha: null, baseAtLock: baseNow, ledgerHead: head };
    const taken =
      edit === null || baseNow !== baseSha
        ? null
        : await forge
            .createBranchWithCommit({
              branch,
              fromSha: baseSha,
              path: plan.target.file,
              content: edit,
              message: await publication.message(head),
            })
            .catch((error: unknown) => {
              deps.log.warn({ branch, err: error }, "branch and commit in one request unclear; reading back");
              return null;
            });
    if (taken !== null) return { ...taken, baseAtLock: baseSha, ledgerHead: head };
  }
  // The base is read again as the lock is taken: a move in between is caught before the commit.
  const [created, baseAtLock] = await Promise.all([
    forge.createBranch(branch, baseSha),
    publication.recheckBase ? forge.branchHead(publication.base) : Promise.resolve(null),
  ]);
  return { branch: created, sha: null, baseAtLock, ledgerHead: await ledgerHead };
}

/** The planned file at the base with the one edit made, or null when the base does not hold `before`. */
async function editOnBase(deps: FlowDeps, plan: Plan, baseSha: string): Promise<string | null> {
  const text = await deps.forge.readFile(plan.target.file, baseSha);
  if (text === null) return null;
  const current = readField(text, plan.target, plan.field);
  if (!current.ok || current.value !== plan.before) return null;
  const edited = editField(text, plan.target, plan.field, plan.after);
  return edited.ok ? edited.text : null;
}

/** Why a PR on Remedy's branch is not Remedy's to reuse. */
export function notRemedysPullRequest(pr: PullRequest): string {
  return `a PR from it (#${pr.number}) was opened by @${pr.author}, not by Remedy`;
}

async function openOrFindPullRequest<R>(
  deps: FlowDeps,
  publication: Publication<R>,
  ledgerHead: string | undefined,
): Promise<PullRequest> {
  try {
    return await deps.forge.openPullRequest({
      head: publication.branch,
      base: publication.base,
      title: publication.title,
      body: publication.body(ledgerHead),
    });
  } catch (error) {
    // An ambiguous or racing create: read before writing again.
    const existing = await deps.forge.findPullRequest(publication.branch).catch(() => null);
    if (existing === null) return publication.halfMade("open the pull request", error);
    return existing;
  }
}

import type { PullRequest } from "../forge/forge.js";
import type { Plan } from "../proposal/plan.js";
import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { examineBranch, type BranchExamination } from "./examine-branch.js";
import { POLICY_CHECK } from "./open-proposal.js";
import { ownPlan, refusalFor } from "./own-plan.js";
import { pauseOf, repositoryPause } from "./pause-of.js";
import { postHeadCheck, recordRevision } from "./record-revision.js";
import { withLock } from "./with-lock.js";

export type HeadResult =
  | { status: "not-remedy" | "closed" | "already-checked" }
  | { status: "refused"; why: string }
  | { status: "paused"; why: string }
  | {
      status: "checked";
      conclusion: "success" | "failure";
      /** The value on the branch, when it holds the one field edit. */
      value: string | null;
      problems: string[];
      /** True when the value differs from the plan and the packet was revised. */
      modified: boolean;
    };

const TAMPERED_MARKER = "<!-- remedy:untrusted-plan -->";

/**
 * Every new head (`synchronize`), body edit (`edited`) and reopening of a Remedy PR is checked again
 * (SPEC §2 "Push to a Remedy PR"): the branch against the current base must still be the one planned
 * field edit, pushed by writers, with a value policy allows; `remedy/policy` goes on the new head. A
 * value a person chose is adopted into the packet and the plan ("modified by"), and the ledger
 * records `pr.updated`. A body whose plan block Remedy cannot vouch for is refused, as on merge.
 */
export async function onPullRequestHead(deps: FlowDeps, event: HeadEvent): Promise<HeadResult> {
  return withLock(deps.store, `pr:${deps.forge.repo.toLowerCase()}#${event.pr}`, () =>
    recheckHead(deps, event),
  );
}

type HeadEvent = { pr: number; headSha: string; action: "synchronize" | "edited" | "reopened" };

async function recheckHead(deps: FlowDeps, event: HeadEvent): Promise<HeadResult> {
  const { forge } = deps;
  const pr = await forge.getPullRequest(event.pr);
  if (pr === null) return { status: "not-remedy" };
  const entries = await deps.audit.entries();
  const own = await ownPlan(deps, pr, entries);
  if (own.status === "foreign") return { status: "not-remedy" };
  if (pr.state !== "open") return { status: "closed" };
  // The head Remedy judges is the branch's head now: an event for an older one is answered by the newer.
  const headSha = (await forge.branchHead(pr.head)) ?? event.headSha;
  if (own.status === "tampered") return refuseTampered(deps, pr, headSha, own.why, event.action);
  // Paused (SPEC §1 invariant 8): no check run, packet, timeline or ledger write. The new head has no
  // `remedy/policy` run, so a required check holds the merge; the first push after `/resume` re-checks.
  const pause =
    (await repositoryPause(deps)) ??
    (await pauseOf(deps, { incident: own.plan.incident, pr: pr.number, labels: pr.labels, entries }));
  if (pause !== null) return { status: "paused", why: pause.reason };
  if (event.action === "synchronize") {
    const runs = await forge.listCheckRuns(headSha, POLICY_CHECK);
    if (runs.some((r) => r.externalId === `remedy-head:${headSha}`)) return { status: "already-checked" };
  }
  const { plan } = own;
  const examination = await examineBranch(deps, pr, plan, headSha);
  const modified =
    examination.plan !== null &&
    (examination.plan.after !== plan.after || examination.plan.before !== plan.before);
  const shown =
    modified && examination.plan !== null
      ? await recordRevision(
          deps,
          pr,
          plan,
          { ...examination, plan: examination.plan },
          { by: examination.pushers.at(-1) ?? "remedy", via: "push" },
          entries,
        )
      : await recordRecheck(deps, plan, pr, examination, event.action).then(() => plan);
  await postHeadCheck(deps, pr, shown, examination);
  return {
    status: "checked",
    conclusion: examination.problems.length === 0 ? "success" : "failure",
    value: examination.plan?.after ?? null,
    problems: examination.problems,
    modified,
  };
}

/** A plan block Remedy cannot vouch for fails the check on the head, and the PR is told why. */
async function refuseTampered(
  deps: FlowDeps,
  pr: PullRequest,
  headSha: string,
  why: string,
  action: HeadEvent["action"],
): Promise<HeadResult> {
  await deps.forge.createCheckRun({
    name: POLICY_CHECK,
    headSha,
    status: "completed",
    conclusion: "failure",
    title: "Plan block edited: Remedy will not vouch for this PR",
    summary: `${refusalFor("pass this PR", why)}`,
    externalId: `remedy-head:${headSha}`,
  });
  await deps.forge.upsertComment(
    pr.number,
    TAMPERED_MARKER,
    `${TAMPERED_MARKER}\n${refusalFor("pass this PR", why)}`,
  );
  await auditSteps(deps, [
    {
      kind: "pr.refused",
      incident: null,
      pr: pr.number,
      sha: headSha,
      actor: "remedy",
      data: { why, action },
    },
  ]);
  return { status: "refused", why };
}

/** `pr.updated` is a person's push (SPEC §6); a reopening, a body edit or Remedy's own commit is a re-check. */
async function recordRecheck(
  deps: FlowDeps,
  plan: Plan,
  pr: PullRequest,
  examination: BranchExamination,
  action: HeadEvent["action"],
): Promise<void> {
  const pushed = action === "synchronize" && examination.pushers.length > 0;
  await auditSteps(deps, [
    {
      kind: pushed ? "pr.updated" : "policy.rechecked",
      incident: plan.incident,
      pr: pr.number,
      sha: examination.headSha,
      actor: examination.pushers.at(-1) ?? "github",
      data: {
        action,
        pushers: examination.pushers,
        value: examination.plan?.after ?? null,
        conclusion: examination.problems.length === 0 ? "success" : "failure",
      },
    },
  ]);
}

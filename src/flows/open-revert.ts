import { trailersFor } from "../audit/index.js";
import type { PullRequest } from "../forge/forge.js";
import { editField, readField, unifiedDiff } from "../manifests/index.js";
import { renderPacket } from "../proposal/approval-packet.js";
import { fitTitle } from "../text/safe-text.js";
import { commitSubject, revertBranchName, type Plan } from "../proposal/plan.js";
import { revertPlan } from "../proposal/revert-plan.js";
import { planHash } from "../proposal/plan-hash.js";
import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { splitReviewers } from "./open-proposal.js";
import { vouchForBranch } from "./vouch-for-branch.js";
import type { Outcome } from "./plan-incident.js";

export type RevertResult =
  { status: "opened" | "reused"; pr: PullRequest } | { status: "conflict"; reason: string };

export interface RevertRequest {
  original: PullRequest;
  plan: Plan;
  /** Why: "verification failed: …" or "/rollback by @someone". */
  reason: string;
  /** Markdown with the failing figures, quoted in the packet. */
  figures?: string;
  actor: string;
}

/**
 * Opens the PR that restores the exact previous value on the current base. If the field changed
 * since the merge, nothing is forced: the conflict is explained where the reviewers will see it.
 */
export async function openRevert(deps: FlowDeps, request: RevertRequest): Promise<RevertResult> {
  const { forge } = deps;
  const { original, plan } = request;
  const mergeSha = original.mergeSha ?? original.head;
  const branch = revertBranchName(mergeSha);
  const existing = await forge.findPullRequest(branch);
  if (existing !== null && existing.author === deps.botLogin) return { status: "reused", pr: existing };
  if (existing !== null)
    return refuseRevertBranch(
      deps,
      request,
      branch,
      `a PR from it (#${existing.number}) was opened by @${existing.author}`,
    );

  const base = await forge.defaultBranch();
  const baseSha = await forge.branchHead(base);
  const text = baseSha === null ? null : await forge.readFile(plan.target.file, baseSha);
  const current = text === null ? null : readField(text, plan.target, plan.field);
  if (baseSha === null || text === null || current === null || !current.ok || current.value !== plan.after) {
    const now = current?.ok ? `\`${current.value}\`` : "unreadable";
    // Someone already put the old value back: say so, instead of asking them to do what they did.
    const restored = current?.ok === true && current.value === plan.revert.value;
    const reason = restored
      ? `Remedy did not open a revert: the ${plan.field} in \`${plan.target.file}\` is already back to ${now} on \`${base}\`, the value before #${original.number}, so there is nothing left to revert.`
      : `Remedy did not open a revert: the ${plan.field} in \`${plan.target.file}\` is now ${now} on \`${base}\`, not \`${plan.after}\` as #${original.number} left it, so someone changed it after the merge. A forced revert could undo their change. Restore \`${plan.revert.value}\` by hand if that is still right.`;
    await forge.comment(
      original.number,
      `### Revert not opened\n${reason}\n\nWhy a revert was asked for: ${request.reason}`,
    );
    if (plan.incident !== null) await forge.addLabels(plan.incident, ["needs-human"]);
    await auditSteps(deps, [
      {
        kind: "revert.opened",
        incident: plan.incident,
        pr: original.number,
        sha: mergeSha,
        actor: request.actor,
        data: {
          opened: false,
          reason: "field changed since merge",
          current: current?.ok ? current.value : null,
        },
      },
    ]);
    return { status: "conflict", reason };
  }

  const revert = revertPlan(plan, { pr: original.number, mergeSha: original.mergeSha }, deps.now());
  const edited = editField(text, plan.target, plan.field, revert.after);
  if (!edited.ok) return { status: "conflict", reason: edited.reason };

  if ((await forge.createBranch(branch, baseSha)) === "exists") {
    const racing = await forge.findPullRequest(branch);
    if (racing !== null && racing.author === deps.botLogin) return { status: "reused", pr: racing };
    if (racing !== null)
      return refuseRevertBranch(
        deps,
        request,
        branch,
        `a PR from it (#${racing.number}) was opened by @${racing.author}`,
      );
  }
  const head = (await forge.branchHead(branch)) as string;
  // A branch that was already there must hold nothing but Remedy's own revert commit.
  const refusal = await vouchForBranch(deps, revert, baseSha, head);
  if (refusal !== null) return refuseRevertBranch(deps, request, branch, refusal);
  const [entry] = await auditSteps(deps, [
    {
      kind: "decision",
      incident: plan.incident,
      pr: original.number,
      sha: mergeSha,
      actor: request.actor,
      data: { decision: "revert", reason: request.reason, field: plan.field, restore: revert.after },
    },
  ]);
  const message = `Revert "${original.title}"\n\nThis reverts commit ${mergeSha}.\n${request.reason}\n\n${trailersFor({ incident: plan.incident, evidence: plan.evidenceHash, audit: entry === undefined ? [] : [entry.hash] })}`;
  let commitSha = head;
  // A racing attempt may already have committed the revert on this branch: do not commit it twice.
  const onBranch = await forge.readFile(plan.target.file, head);
  if (onBranch !== edited.text) {
    const commit = await forge.commitFile({
      branch,
      expectedHeadSha: head,
      path: plan.target.file,
      content: edited.text,
      message,
    });
    if (!commit.ok)
      return { status: "conflict", reason: `the branch ${branch} moved while Remedy committed the revert` };
    commitSha = commit.sha;
  }

  const outcome: Outcome = {
    decision: "propose",
    summary: `Revert #${original.number}: set ${plan.field} of ${plan.service} in ${plan.environment} back from ${plan.after} to ${revert.after}. ${request.reason}`,
    incident: {
      key: plan.incidentKey,
      source: "comment",
      status: "firing",
      title: original.title,
      text: request.reason,
      trustedText: "",
      labels: {},
      alertnames: [],
      issue: plan.incident,
      author: null,
      truncatedAlerts: 0,
      startsAt: null,
    },
    resolution: null,
    diagnosis: null,
    plan: revert,
    policy: null,
    edit: {
      path: plan.target.file,
      before: text,
      after: edited.text,
      diff: unifiedDiff(plan.target.file, text, edited.text),
    },
    evidence: [],
    uncertainties: [],
  };
  const preface = [
    `Reverts #${original.number}${plan.incident === null ? "" : ` (incident #${plan.incident})`}.`,
    request.figures ?? "",
  ]
    .filter(Boolean)
    .join("\n\n");
  const ledgerHead = await deps.audit.head().catch(() => undefined);
  let pr: PullRequest;
  try {
    pr = await forge.openPullRequest({
      head: branch,
      base,
      title: fitTitle(`Revert "${original.title}"`),
      body: renderPacket(outcome, { preface, ...(ledgerHead === undefined ? {} : { ledgerHead }) }),
    });
  } catch (error) {
    const raced = await forge.findPullRequest(branch);
    if (raced === null) throw error;
    pr = raced;
  }
  await forge.finishPullRequest(pr, {
    labels: [
      "remedy",
      "remedy:revert",
      `env:${plan.environment}`,
      `risk:${revert.risk}`,
      `service:${plan.service}`,
    ],
    reviewers: splitReviewers(plan.reviewers, deps.botLogin),
    checkRun: {
      name: "remedy/policy",
      headSha: commitSha,
      status: "completed",
      conclusion: "success",
      title: `Revert of #${original.number}`,
      summary: `Restores ${plan.field} ${revert.after} from before #${original.number}. ${request.reason}`,
    },
    autoMerge: false,
  });
  await forge.comment(
    original.number,
    `Remedy opened the revert ${pr.url}: ${commitSubject(revert)}.\n\n${request.reason}`,
  );
  if (plan.incident !== null)
    await forge.comment(plan.incident, `Remedy opened the revert ${pr.url} for #${original.number}.`);
  await auditSteps(
    deps,
    [
      {
        kind: "revert.opened",
        incident: plan.incident,
        pr: pr.number,
        sha: commitSha,
        actor: request.actor,
        data: {
          reverts: original.number,
          mergeSha,
          field: plan.field,
          restore: revert.after,
          reason: request.reason,
          planHash: planHash(revert),
        },
      },
    ],
    { mustLand: true },
  );
  return { status: "opened", pr };
}

/** A revert branch Remedy did not write is never used; the original PR says why and a person takes over. */
async function refuseRevertBranch(
  deps: FlowDeps,
  request: RevertRequest,
  branch: string,
  why: string,
): Promise<RevertResult> {
  const { original, plan } = request;
  const reason = `Remedy did not open a revert: the branch \`${branch}\` already exists and Remedy cannot vouch for it: ${why}. Delete it (after checking who pushed it), then comment \`/rollback\`, or restore \`${plan.revert.value}\` by hand.`;
  await deps.forge.comment(
    original.number,
    `### Revert not opened\n${reason}\n\nWhy a revert was asked for: ${request.reason}`,
  );
  if (plan.incident !== null) await deps.forge.addLabels(plan.incident, ["needs-human"]);
  await auditSteps(deps, [
    {
      kind: "branch.refused",
      incident: plan.incident,
      pr: original.number,
      actor: request.actor,
      data: { branch, why },
    },
  ]);
  return { status: "conflict", reason };
}

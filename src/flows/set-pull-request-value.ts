import { trailersFor, type LedgerEntry } from "../audit/index.js";
import type { PullRequest } from "../forge/forge.js";
import { editField, isValidDigest, isValidReplicaCount, isValidTag } from "../manifests/index.js";
import { safeToken } from "../proposal/markdown.js";
import { commitSubject, type Plan } from "../proposal/plan.js";
import { renderPolicy } from "../proposal/approval-packet.js";
import type { FlowDeps } from "./deps.js";
import { examineBranch, policyForValue } from "./examine-branch.js";
import { ownPlan, refusalFor } from "./own-plan.js";
import { pauseOf, repositoryPause } from "./pause-of.js";
import { postHeadCheck, recordRevision } from "./record-revision.js";
import { withLock } from "./with-lock.js";

export type SetResult =
  | { status: "set"; value: string; sha: string; conclusion: "success" | "failure" }
  | { status: "refused"; why: string };

/**
 * `/set <value>` on an open Remedy PR by a writer (SPEC §2): the value is checked (form and the
 * current policy) before anything is written; then Remedy commits the one field edit with that value
 * on its branch (a new signed commit on top: Remedy never force-pushes), re-checks the head, revises
 * the packet and plan, and records who modified it. Anything else gets a reply and no write.
 */
export async function setPullRequestValue(
  deps: FlowDeps,
  number: number,
  argument: string,
  actor: string,
): Promise<SetResult> {
  return withLock(deps.store, `pr:${deps.forge.repo.toLowerCase()}#${number}`, async () => {
    const result = await setValue(deps, number, argument, actor);
    if (result.status === "refused")
      await deps.forge.comment(number, `@${safeToken(actor, 39)} ${result.why}`);
    return result;
  });
}

async function setValue(deps: FlowDeps, number: number, argument: string, actor: string): Promise<SetResult> {
  const { forge } = deps;
  const refuse = (why: string): SetResult => ({ status: "refused", why: `${why} Nothing was written.` });
  const pr = await forge.getPullRequest(number);
  if (pr === null) return refuse(`#${number} is not a pull request.`);
  const entries = await deps.audit.entries();
  const own = await ownPlan(deps, pr, entries);
  if (own.status === "foreign")
    return refuse(
      `\`/set\` changes the value of a PR Remedy opened, and Remedy cannot act on this one: ${own.why}.`,
    );
  if (own.status === "tampered") return { status: "refused", why: refusalFor("change this PR", own.why) };
  const { plan } = own;
  if (pr.state !== "open")
    return refuse(`\`/set\` works on an open PR; #${number} is ${pr.merged ? "merged" : "closed"}.`);
  if (plan.reverts !== undefined)
    return refuse(
      `this PR reverts #${plan.reverts.pr} and restores exactly \`${plan.after}\`, the value that ran before: a revert's value is not changed. Close it and propose the value you want on the incident instead.`,
    );
  // Paused (SPEC §1 invariant 8): the reply is the acknowledgement; no commit, check or packet.
  const pause =
    (await repositoryPause(deps)) ??
    (await pauseOf(deps, { incident: plan.incident, pr: pr.number, labels: pr.labels, entries }));
  if (pause !== null)
    return refuse(
      `Remedy is paused: ${pause.reason}, so \`/set\` changes nothing. To resume, ${pause.resume}.`,
    );
  const value = argument.trim();
  const invalid = invalidValue(plan, value);
  if (invalid !== null) return refuse(invalid);

  const headSha = await forge.branchHead(pr.head);
  if (headSha === null) return refuse(`the branch \`${pr.head}\` no longer exists.`);
  const current = await examineBranch(deps, pr, plan, headSha);
  if (current.plan === null)
    return refuse(
      `the branch does not hold the one planned edit, so Remedy will not build on it:\n${current.problems.map((p) => `- ${p}`).join("\n")}`,
    );
  if (current.plan.after === value)
    return refuse(`the branch already sets the ${plan.field} to \`${value}\`.`);
  const policy = await policyForValue(deps, pr, plan, current.baseSha, {
    before: current.plan.before,
    value,
  });
  if ("error" in policy) return refuse(`${policy.error}.`);
  if (policy.decision !== "propose")
    return refuse(
      `policy refuses ${plan.field} \`${value}\` for ${plan.service} in ${plan.environment}:\n\n${renderPolicy(policy)}\n\nChoose a value every rule allows.`,
    );
  const baseText = await forge.readFile(plan.target.file, current.baseSha);
  if (baseText === null) return refuse(`\`${plan.target.file}\` does not exist on \`${pr.base}\`.`);
  const edited = editField(baseText, plan.target, plan.field, value);
  if (!edited.ok) return refuse(`Remedy cannot write that value: ${edited.reason}`);

  const subject = commitSubject({ ...plan, before: current.plan.before, after: value });
  const commit = await forge.commitFile({
    branch: pr.head,
    expectedHeadSha: headSha,
    path: plan.target.file,
    content: edited.text,
    message: await setMessage(deps, plan, subject, { actor, number, was: current.plan.after }),
  });
  if (!commit.ok)
    return refuse(
      `the branch \`${pr.head}\` moved while Remedy was writing; look at the new head, then \`/set\` again.`,
    );

  const conclusion = await recheckAndReply(deps, pr, plan, {
    actor,
    value,
    was: current.plan.after,
    subject,
    sha: commit.sha,
    entries,
  });
  return { status: "set", value, sha: commit.sha, conclusion };
}

/** The new head re-checked, the packet revised, and the writer told what `remedy/policy` says now. */
async function recheckAndReply(
  deps: FlowDeps,
  pr: PullRequest,
  plan: Plan,
  set: {
    actor: string;
    value: string;
    was: string;
    subject: string;
    sha: string;
    entries: readonly LedgerEntry[];
  },
): Promise<"success" | "failure"> {
  const { actor, value, subject, entries } = set;
  const number = pr.number;
  const examination = await examineBranch(deps, pr, plan, set.sha);
  let shown: Plan = plan;
  if (examination.plan !== null)
    shown = await recordRevision(
      deps,
      pr,
      plan,
      { ...examination, plan: examination.plan },
      { by: actor, via: "set" },
      entries,
    );
  const { gate } = await postHeadCheck(deps, pr, shown, examination);
  const conclusion = examination.problems.length === 0 ? "success" : "failure";
  await deps.forge.comment(
    number,
    `@${safeToken(actor, 39)} set the ${plan.field} to \`${value}\` (was \`${set.was}\`): ${subject}, committed as \`${set.sha.slice(0, 12)}\`. ` +
      (conclusion === "success"
        ? `\`remedy/policy\` passes on the new head; the approval packet shows the new value. ${shown.approvals} approval(s) required.${gate.applies && !gate.satisfied ? ` ${gate.detail}` : ""}`
        : `\`remedy/policy\` fails on the new head:\n${examination.problems.map((p) => `- ${p}`).join("\n")}`),
  );
  return conclusion;
}

/** The commit message of a `/set`: the subject, who set it, and the ledger trailers. */
async function setMessage(
  deps: FlowDeps,
  plan: Plan,
  subject: string,
  set: { actor: string; number: number; was: string },
): Promise<string> {
  const ledgerHead = await deps.audit.head().catch(() => null);
  const trailers = trailersFor({
    incident: plan.incident,
    evidence: plan.evidenceHash,
    audit: ledgerHead === null ? [] : [ledgerHead],
  });
  return `${subject}\n\nSet by @${safeToken(set.actor, 39)} with /set on #${set.number} (was ${set.was}).\n\n${trailers}`;
}

/** Why a `/set` argument is not a value of the PR's field, with the form that is; null when it is one. */
function invalidValue(plan: Plan, value: string): string | null {
  if (value === "")
    return plan.field === "replicas"
      ? "`/set` needs a value: comment `/set 8` for 8 replicas."
      : "`/set` needs a value: comment `/set 1.4.3` for that image tag.";
  const shown = `\`${safeToken(value, 40)}\``;
  if (plan.field === "replicas")
    return isValidReplicaCount(value)
      ? null
      : `${shown} is not a replica count: \`/set\` takes one whole number on its own (e.g. \`/set 8\`), nothing else on the line.`;
  return isValidTag(value) || isValidDigest(value)
    ? null
    : `${shown} is not an image tag: \`/set\` takes one tag (letters, digits, \`.\`, \`_\`, \`-\`, up to 128 characters, e.g. \`/set 1.4.3\`) or a digest \`sha256:<64 hex>\`, nothing else on the line.`;
}

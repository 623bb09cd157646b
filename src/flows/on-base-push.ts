import { trailersFor } from "../audit/index.js";
import type { PullRequest } from "../forge/forge.js";
import { editField, readField } from "../manifests/index.js";
import { safeToken } from "../proposal/markdown.js";
import { commitSubject, type Plan } from "../proposal/plan.js";
import { loadConfig } from "../repo/load-repository.js";
import type { FlowDeps } from "./deps.js";
import { examineBranch } from "./examine-branch.js";
import { ownPlan } from "./own-plan.js";
import { pauseOf } from "./pause-of.js";
import { headCheckRun, recordRevision } from "./record-revision.js";
import { repoAt } from "./repo-at.js";
import { isMoot, markPullRequestFresh, markPullRequestStale } from "./stale-pull-requests.js";
import { withLock } from "./with-lock.js";

export type BasePushOutcome =
  /** The base's value of the field is what the PR was planned against: nothing to do. */
  | { pr: number; status: "unchanged" }
  /** The base already holds the PR's value: labelled stale, a draft, told so (or already was). */
  | { pr: number; status: "moot"; value: string }
  /** The edit was recomputed on the new base and `remedy/policy` ran on the new head. */
  | { pr: number; status: "rebased"; from: string; sha: string; conclusion: "success" | "failure" }
  /** Remedy could not recompute the edit; the PR was told why. */
  | { pr: number; status: "cannot"; why: string }
  /** Left alone: not Remedy's to rewrite (tampered plan, a revert), paused, or the branch moved. */
  | { pr: number; status: "skipped"; why: string };

const BASE_MARKER = "<!-- remedy:base-moved -->";

/**
 * A commit landed on the default branch (SPEC §2 "Stale PR"): each open PR Remedy opened against it
 * is compared with the new base. A base that left the PR's field alone changes nothing. A base that
 * already holds the PR's value makes it moot: stale, a draft, and it says so. A base that set the
 * field to something else gets the edit recomputed on it: Remedy's branch moves, without a force
 * push, to one commit holding the new base plus the one field edit, which is checked again (policy
 * judges the step from the new value), and the packet, plan and ledger follow.
 */
export async function onBasePush(
  deps: FlowDeps,
  event: { branch: string; pusher: string | null },
): Promise<BasePushOutcome[] | null> {
  const base = await deps.forge.defaultBranch();
  if (event.branch !== base) return null;
  const listed = await deps.forge.listRemedyPullRequests(deps.now());
  const outcomes: BasePushOutcome[] = [];
  for (const listedPr of listed) {
    if (listedPr.state !== "open" || listedPr.base !== base) continue;
    const outcome = await withLock(deps.store, `pr:${deps.forge.repo.toLowerCase()}#${listedPr.number}`, () =>
      followBase(deps, listedPr.number, event.pusher),
    );
    if (outcome !== null) outcomes.push(outcome);
  }
  return outcomes;
}

async function followBase(
  deps: FlowDeps,
  number: number,
  pusher: string | null,
): Promise<BasePushOutcome | null> {
  const { forge } = deps;
  const pr = await forge.getPullRequest(number);
  if (pr === null || pr.state !== "open") return null;
  const entries = await deps.audit.entries();
  const own = await ownPlan(deps, pr, entries);
  if (own.status === "foreign") return null;
  // A plan block Remedy cannot vouch for is never rewritten: the head re-check already refuses it.
  if (own.status === "tampered") return skip(deps, pr, `its plan block is not Remedy's: ${own.why}`);
  const { plan } = own;
  if (plan.reverts !== undefined)
    return skip(deps, pr, "a revert restores exactly the value that ran before; it is not recomputed");

  const baseSha = await forge.branchHead(pr.base);
  if (baseSha === null) return skip(deps, pr, `the base branch ${pr.base} does not exist`);
  const baseText = await forge.readFile(plan.target.file, baseSha);
  const read = baseText === null ? null : readField(baseText, plan.target, plan.field);
  // A Kustomize overlay still without a replicas entry: the base did not set the field.
  if (read !== null && !read.ok && read.code === "missing") return { pr: pr.number, status: "unchanged" };
  if (read?.ok === true && read.value === plan.before) return { pr: pr.number, status: "unchanged" };

  // Paused (SPEC §1 invariant 8): not even a comment; the next push or `/resume` sees the new base.
  const config = await loadConfig(repoAt(forge, baseSha)).catch(() => null);
  const pause = await pauseOf(deps, {
    config,
    incident: plan.incident,
    pr: pr.number,
    labels: pr.labels,
    entries,
  });
  if (pause !== null) return skip(deps, pr, `paused: ${pause.reason}`);
  if (baseText === null || read === null)
    return cannot(
      deps,
      pr,
      `\`${plan.target.file}\` no longer exists on \`${pr.base}\` (at \`${baseSha.slice(0, 12)}\`)`,
    );
  if (!read.ok)
    return cannot(
      deps,
      pr,
      `the ${plan.field} of ${plan.service} cannot be read on \`${pr.base}\`: ${read.reason}`,
    );
  const value = read.value;

  const by = pusher === null ? "a commit" : `a commit by @${safeToken(pusher, 39)}`;
  const at = `\`${pr.base}\` (at \`${baseSha.slice(0, 12)}\`)`;
  if (value === plan.after) {
    if (isMoot(entries, pr.number)) return { pr: pr.number, status: "moot", value };
    const reason = `${by} on ${at} already set the ${plan.field} of ${plan.service} in ${plan.environment} to \`${value}\``;
    const written = await markPullRequestStale(deps, pr, plan, capitalize(reason), pusher ?? "github", true);
    return written ? { pr: pr.number, status: "moot", value } : skip(deps, pr, "paused");
  }
  return rebase(deps, pr, plan, {
    baseSha,
    baseText,
    value,
    why: `${by} on ${at} changed the ${plan.field} from \`${plan.before}\` to \`${value}\``,
  });
}

async function rebase(
  deps: FlowDeps,
  pr: PullRequest,
  plan: Plan,
  base: { baseSha: string; baseText: string; value: string; why: string },
): Promise<BasePushOutcome> {
  const { forge } = deps;
  const headSha = await forge.branchHead(pr.head);
  if (headSha === null) return skip(deps, pr, `its branch ${pr.head} no longer exists`);
  const edited = editField(base.baseText, plan.target, plan.field, plan.after);
  if (!edited.ok)
    return cannot(
      deps,
      pr,
      `${base.why}, and Remedy cannot write \`${plan.after}\` on the new base: ${edited.reason}`,
    );
  const ledgerHead = await deps.audit.head().catch(() => null);
  const subject = commitSubject({ ...plan, before: base.value });
  const commit = await forge.commitFileOnto({
    branch: pr.head,
    expectedHeadSha: headSha,
    onto: base.baseSha,
    path: plan.target.file,
    content: edited.text,
    message: `${subject}\n\nRecomputed by Remedy on ${pr.base} at ${base.baseSha.slice(0, 12)}: ${base.why.replace(/`/g, "")}.\n\n${trailersFor({ incident: plan.incident, evidence: plan.evidenceHash, audit: ledgerHead === null ? [] : [ledgerHead] })}`,
  });
  // Someone pushed meanwhile: that push is re-checked against the new base on its own event.
  if (!commit.ok) return skip(deps, pr, `its branch ${pr.head} moved while Remedy was writing`);

  const examination = await examineBranch(deps, pr, plan, commit.sha);
  const entries = await deps.audit.entries();
  const shown =
    examination.plan === null
      ? plan
      : await recordRevision(
          deps,
          pr,
          plan,
          { ...examination, plan: examination.plan },
          { by: "remedy", via: "rebase", reason: base.why.replace(/`/g, "") },
          entries,
        );
  const run = headCheckRun(examination, shown);
  await forge.createCheckRun(run);
  // It was moot because the base held its value; the base moved on, so merging it matters again.
  if (isMoot(entries, pr.number))
    await markPullRequestFresh(
      deps,
      pr,
      plan.incident,
      `${capitalize(base.why)}, so this PR's change is no longer moot`,
      "remedy",
    );
  const conclusion = run.conclusion === "success" ? "success" : "failure";
  await forge.upsertComment(
    pr.number,
    BASE_MARKER,
    `${BASE_MARKER}\n### Recomputed on the new base\n${capitalize(base.why)}. Remedy recomputed its one edit on \`${pr.base}\`: ${plan.field} \`${base.value}\` → \`${shown.after}\`, committed as \`${commit.sha.slice(0, 12)}\` on top of both the old head and the new base (nothing was force-pushed). ` +
      (conclusion === "success"
        ? `\`remedy/policy\` passes on the new head; the approval packet shows the new starting value. ${shown.approvals} approval(s) required.`
        : `\`remedy/policy\` fails on the new head:\n${examination.problems.map((p) => `- ${p}`).join("\n")}\n\nComment \`/set <value>\` with a value policy allows from \`${base.value}\`, or close this PR.`),
  );
  return { pr: pr.number, status: "rebased", from: base.value, sha: commit.sha, conclusion };
}

/** The PR cannot follow the base: a person hears why (a comment), nothing else is written. */
async function cannot(deps: FlowDeps, pr: PullRequest, why: string): Promise<BasePushOutcome> {
  await deps.forge.upsertComment(
    pr.number,
    BASE_MARKER,
    `${BASE_MARKER}\n### The base changed under this PR\n${capitalize(why)}, so Remedy cannot recompute its edit on the new base and left the branch as it was. Close this PR and comment \`/diagnose\` on the incident so Remedy plans again from the new base.`,
  );
  return { pr: pr.number, status: "cannot", why };
}

function skip(deps: FlowDeps, pr: PullRequest, why: string): BasePushOutcome {
  deps.log.info({ pr: pr.number, why }, "base push: PR left as it is");
  return { pr: pr.number, status: "skipped", why };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

import type { LedgerEntry } from "../audit/index.js";
import { PausedWriteError } from "../forge/pausing-forge.js";
import { stopAutoMerge } from "./stop-auto-merge.js";
import { CircuitBreaker } from "../policy/policy-schema.js";
import type { Plan } from "../proposal/plan.js";
import { loadRepository } from "../repo/load-repository.js";
import { parseDuration } from "../verification/parse-duration.js";
import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { BREAKER_LABEL, pauseState } from "./pause-of.js";
import { repoAt } from "./repo-at.js";

export const BREAKER_MARKER = "<!-- remedy:breaker -->";

export interface FailedVerification {
  pr: number | null;
  incident: number | null;
  at: string;
  reason: string;
}

/**
 * The failed verifications of Remedy's PRs that count toward the breaker: inside the window, and
 * after the last reset (a trip, or a writer's `/resume` of the repository), so a resume starts afresh.
 */
export function failuresCounted(
  entries: readonly LedgerEntry[],
  now: string,
  windowSeconds: number,
): FailedVerification[] {
  const since = Date.parse(now) - windowSeconds * 1000;
  let counted: FailedVerification[] = [];
  for (const entry of entries) {
    const reset =
      entry.kind === "breaker.tripped" || (entry.kind === "resumed" && entry.data.scope === "repo");
    if (reset) counted = [];
    else if (entry.kind === "verify.failed" && Date.parse(entry.at) >= since)
      counted.push({
        pr: entry.pr,
        incident: entry.incident,
        at: entry.at,
        reason: typeof entry.data.reason === "string" ? entry.data.reason : "checks failed",
      });
  }
  return counted;
}

/**
 * Called after a failed verification has been reported (and its revert opened): when the policy's
 * `circuit_breaker` count is reached, Remedy pauses the repository itself (SPEC §3.3). It opens one
 * issue "Remedy paused itself" with the failures and the owners, says so on the incident, and records
 * `breaker.tripped`, which `pauseOf` reads as a repository pause until a writer comments `/resume` on
 * that issue. Returns the issue number when it tripped.
 */
export async function tripBreakerIfDue(deps: FlowDeps, plan: Plan, pr: number): Promise<number | null> {
  const breaker = await breakerPolicy(deps);
  const entries = await deps.audit.entries();
  if (pauseState(entries).breaker !== null) return null; // already paused: the open issue stands
  const failures = failuresCounted(entries, deps.now(), parseDuration(breaker.window));
  if (failures.length < breaker.failed_verifications) return null;

  const owners = [...new Set(plan.reviewers)];
  const rows = failures.map(
    (f) =>
      `| ${f.at} | ${f.pr === null ? "—" : `#${f.pr}`} | ${f.incident === null ? "—" : `#${f.incident}`} | ${f.reason.replace(/[|\n]/g, " ").slice(0, 300)} |`,
  );
  const body = [
    BREAKER_MARKER,
    `Remedy paused itself in this repository: ${failures.length} of its changes failed verification within ${breaker.window} (the policy's \`circuit_breaker\` allows ${breaker.failed_verifications}). A bot that keeps being wrong should stop and let people look.`,
    "| when | PR | incident | why it failed |\n|---|---|---|---|\n" + rows.join("\n"),
    "While paused, Remedy opens no PRs and changes nothing here; verifications in flight keep reporting in their check runs, and a failure escalates to a person instead of a revert.",
    `${owners.length > 0 ? `${owners.join(" ")}: please look at these changes. ` : ""}When it is safe, someone with write access comments \`/resume\` on this issue.`,
  ].join("\n\n");
  let issue: number | null = null;
  try {
    const existing = await deps.forge.findIssue(BREAKER_LABEL, BREAKER_MARKER);
    if (existing !== null) {
      issue = existing.number;
      await deps.forge.comment(existing.number, body);
    } else {
      issue = (
        await deps.forge.createIssue({
          title: `Remedy paused itself: ${failures.length} failed verifications in ${breaker.window}`,
          body,
          labels: [BREAKER_LABEL, "needs-human"],
        })
      ).number;
    }
    if (plan.incident !== null)
      await deps.forge.comment(
        plan.incident,
        `### Remedy paused itself\nAfter #${pr} failed verification, ${failures.length} of Remedy's changes have failed within ${breaker.window}: the circuit breaker paused Remedy in this repository${issue === null ? "" : ` (see #${issue})`}. It proposes nothing until a writer comments \`/resume\` there.`,
      );
  } catch (error) {
    // The App-wide pause refuses the issue; the ledger record below still pauses the repository.
    if (!(error instanceof PausedWriteError)) throw error;
  }
  await auditSteps(
    deps,
    [
      {
        kind: "breaker.tripped",
        incident: plan.incident,
        pr,
        actor: "remedy",
        data: {
          issue,
          failures: failures.map((f) => f.pr),
          threshold: breaker.failed_verifications,
          window: breaker.window,
        },
      },
    ],
    { mustLand: true },
  );
  // The one write the breaker makes in the scope it pauses: auto-merge off on Remedy's open PRs.
  const autoMerge = await stopAutoMerge(deps, { repo: true });
  deps.log.warn(
    {
      pr,
      issue,
      failures: failures.length,
      autoMergeOff: autoMerge.stopped,
      autoMergeFailed: autoMerge.failed,
    },
    "circuit breaker tripped; repository paused",
  );
  return issue;
}

/** The default branch's policy; its defaults when the files cannot be read (the breaker still works). */
async function breakerPolicy(deps: FlowDeps): Promise<CircuitBreaker> {
  try {
    const base = await deps.forge.defaultBranch();
    const sha = await deps.forge.branchHead(base);
    if (sha !== null) return (await loadRepository(repoAt(deps.forge, sha))).policy.circuit_breaker;
  } catch (error) {
    deps.log.warn({ err: error }, "could not read the policy for the circuit breaker; using its defaults");
  }
  return CircuitBreaker.parse({});
}

import { PausedWriteError } from "../forge/pausing-forge.js";
import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { BREAKER_LABEL, PAUSED_LABEL, pauseOf, pauseState } from "./pause-of.js";
import { onPullRequestHead } from "./on-pull-request-head.js";
import { openRemedyPrsFor, staleAfterResume } from "./stale-pull-requests.js";
import { parsePacket } from "../proposal/approval-packet.js";
import { autoMergeNote, stopAutoMerge } from "./stop-auto-merge.js";

export interface PauseRequest {
  /** The issue or PR the command or label is on. */
  number: number;
  isPullRequest: boolean;
  pause: boolean;
  actor: string;
  via: "command" | "label";
}

export type PauseResult =
  | { status: "paused" | "resumed" | "unchanged"; scope: "incident" | "pr" | "repo" }
  | { status: "refused"; why: string };

const ACK_MARKER = "<!-- remedy:pause -->";

/**
 * `/pause`, `/resume` and the `remedy:paused` label: records the pause in the ledger and acknowledges
 * it with one comment (updated in place), nothing else. `/resume` on the circuit breaker's issue lifts
 * the repository-level pause. The caller has checked the actor's permission.
 */
export async function setPause(deps: FlowDeps, request: PauseRequest): Promise<PauseResult> {
  const { forge } = deps;
  const scope = await scopeOf(deps, request);
  if ("refused" in scope) {
    await forge.comment(request.number, scope.refused);
    return { status: "refused", why: scope.refused };
  }
  const entries = await deps.audit.entries().catch(() => []);
  const state = pauseState(entries);
  const pausedNow =
    scope.scope === "repo" ? state.breaker !== null : state.paused.has(`${scope.scope}:${request.number}`);
  const word = request.pause ? "pause" : "resume";
  if (pausedNow === request.pause) {
    await forge.upsertComment(
      request.number,
      ACK_MARKER,
      `${ACK_MARKER}\n${request.pause ? `Remedy is already paused here; @${request.actor}'s ${word} changes nothing.` : `Remedy is not paused here (nothing to resume).`}`,
    );
    return { status: "unchanged", scope: scope.scope };
  }
  await auditSteps(deps, [
    {
      kind: request.pause ? "paused" : "resumed",
      incident: scope.incident,
      pr: request.isPullRequest ? request.number : null,
      actor: request.actor,
      data: { scope: scope.scope, number: request.number, via: request.via },
    },
  ]);
  if (!request.pause) await removePauseLabel(deps, request.number, scope.labels);
  // The one write a pause makes in its own scope: auto-merge off, so the pause is true (stop-auto-merge.ts).
  const autoMerge =
    request.pause && scope.scope !== "repo"
      ? autoMergeNote(
          await stopAutoMerge(
            deps,
            scope.scope === "pr" ? { pr: request.number } : { incident: request.number },
          ),
        )
      : "";
  const still = request.pause
    ? null
    : await pauseOf(deps, {
        incident: scope.incident,
        pr: request.isPullRequest ? request.number : null,
      });
  const text = request.pause
    ? `Remedy is paused on ${scope.scope === "pr" ? "this PR" : `incident #${request.number}`} by @${request.actor}: it opens, changes and labels nothing here until a writer comments \`/resume\`. Verification keeps observing and reports in its check run; a failed verification is escalated to a human instead of reverted.`
    : `Remedy resumed ${scope.scope === "repo" ? "in this repository (the circuit breaker's pause is lifted)" : "here"} by @${request.actor}.${still === null ? "" : ` It is still paused because ${still.reason}.`}`;
  await forge.upsertComment(
    request.number,
    ACK_MARKER,
    `${ACK_MARKER}\n${text}${autoMerge === "" ? "" : ` ${autoMerge}`}`,
  );
  if (!request.pause && still === null && scope.scope !== "repo") {
    await recheckHeads(deps, scope.scope, request);
    await catchUpStaleness(deps, scope.scope, request);
  }
  return { status: request.pause ? "paused" : "resumed", scope: scope.scope };
}

/**
 * After a resume, the heads of the PRs it covers are checked as a push would have been: a commit
 * pushed while paused got no `remedy/policy` run (on-pull-request-head.ts). A head checked before the
 * pause is "already-checked" and writes nothing. A failure here is logged; the resume stands.
 */
async function recheckHeads(deps: FlowDeps, scope: "incident" | "pr", request: PauseRequest): Promise<void> {
  try {
    const prs =
      scope === "pr"
        ? [request.number]
        : (await openRemedyPrsFor(deps, request.number)).map(({ pr }) => pr.number);
    for (const number of prs) {
      const pr = await deps.forge.getPullRequest(number);
      const headSha = pr === null || pr.state !== "open" ? null : await deps.forge.branchHead(pr.head);
      if (headSha !== null) await onPullRequestHead(deps, { pr: number, headSha, action: "synchronize" });
    }
  } catch (error) {
    deps.log.warn({ err: error, number: request.number }, "could not re-check the heads after a resume");
  }
}

/**
 * After a resume, what happened to the incident while paused is applied: a closed issue or a resolved
 * alert group makes its open PRs stale (stale-pull-requests.ts). Only PRs whose plan the ledger vouches
 * for are touched (openRemedyPrsFor), so a PR body naming another incident changes nothing. A failure
 * here is logged; the resume stands.
 */
async function catchUpStaleness(
  deps: FlowDeps,
  scope: "incident" | "pr",
  request: PauseRequest,
): Promise<void> {
  try {
    const incident =
      scope === "incident"
        ? request.number
        : (parsePacket((await deps.forge.getPullRequest(request.number))?.body ?? "")?.incident ?? null);
    if (incident !== null) await staleAfterResume(deps, incident, request.actor);
  } catch (error) {
    deps.log.warn({ err: error, number: request.number }, "could not catch up on staleness after a resume");
  }
}

async function scopeOf(
  deps: FlowDeps,
  request: PauseRequest,
): Promise<
  { scope: "incident" | "pr" | "repo"; incident: number | null; labels: string[] } | { refused: string }
> {
  if (request.isPullRequest) {
    const pr = await deps.forge.getPullRequest(request.number);
    if (pr === null || pr.author !== deps.botLogin || !pr.labels.includes("remedy"))
      return {
        refused: `\`/${request.pause ? "pause" : "resume"}\` works on Remedy's own PRs and incident issues.`,
      };
    return { scope: "pr", incident: null, labels: pr.labels };
  }
  const issue = await deps.forge.getIssue(request.number);
  if (issue !== null && issue.labels.includes(BREAKER_LABEL) && issue.author === deps.botLogin)
    return request.pause
      ? { refused: "This is the circuit breaker's issue: Remedy is already paused in this repository." }
      : { scope: "repo", incident: null, labels: issue.labels };
  if (issue === null || !issue.labels.includes("incident"))
    return {
      refused: `\`/${request.pause ? "pause" : "resume"}\` works on incident issues and Remedy's own PRs.`,
    };
  return { scope: "incident", incident: issue.number, labels: issue.labels };
}

/** After a resume the label would contradict the ledger; a forge still paused elsewhere keeps it. */
async function removePauseLabel(deps: FlowDeps, number: number, labels: readonly string[]): Promise<void> {
  if (!labels.includes(PAUSED_LABEL)) return;
  try {
    await deps.forge.removeLabel(number, PAUSED_LABEL);
  } catch (error) {
    if (!(error instanceof PausedWriteError)) throw error;
  }
}

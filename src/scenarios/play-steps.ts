import { onAlert } from "../flows/on-alert.js";
import { onBasePush } from "../flows/on-base-push.js";
import { onComment } from "../flows/on-comment.js";
import { onIssueClosed } from "../flows/on-issue-closed.js";
import { onLabel } from "../flows/on-label.js";
import { onPullRequestClosed } from "../flows/on-pull-request-closed.js";
import { onPullRequestHead } from "../flows/on-pull-request-head.js";
import { onReview } from "../flows/on-review.js";
import type { PullRequest } from "../forge/forge.js";
import type { AlertPayload } from "../signals/alert-payload.js";
import { stepKind, type Step } from "./scenario-schema.js";
import {
  firstRemedyPr,
  now,
  person,
  playSignal,
  tellStepWrites,
  verifyMerge,
  type World,
} from "./scenario-world.js";

/**
 * Plays steps 1..n after Remedy answered the signal: each one minute of simulated time after the
 * previous (or at its `at`), each as the webhook Remedy would get on GitHub. A `signal` step with
 * `concurrent: true` was already delivered with the top-level signal and is only told here.
 */
export async function playSteps(world: World, steps: readonly Step[]): Promise<void> {
  for (const [index, step] of steps.entries()) {
    const number = index + 1;
    if (step.signal?.concurrent === true) continue;
    world.step = number;
    const previous = world.clock.ms;
    const wanted = step.at === undefined ? previous + 60_000 : Date.parse(step.at);
    world.clock.ms = Math.max(previous, wanted);
    const late = wanted < previous ? ` (its at: ${step.at} had already passed)` : "";
    try {
      await playStep(world, step, number, late);
    } catch (error) {
      world.problems.push(`step ${number} (${stepKind(step)}) crashed: ${(error as Error).message}`);
      world.events.push({
        kind: "step",
        number,
        at: now(world),
        text: `crashed: ${(error as Error).message}`,
      });
    }
    tellStepWrites(world, number);
  }
}

/** What every step's player needs: the world, the step's number and how to tell or refuse it. */
interface StepPlay {
  world: World;
  number: number;
  tell(text: string): void;
  cannot(why: string): void;
}

async function playStep(world: World, step: Step, number: number, late: string): Promise<void> {
  const play: StepPlay = {
    world,
    number,
    tell: (text) => world.events.push({ kind: "step", number, at: now(world), text: `${text}${late}` }),
    cannot: (why) => {
      play.tell(`cannot be played: ${why}`);
      world.problems.push(`step ${number} (${stepKind(step)}): ${why}`);
    },
  };
  if (step.push !== undefined) return playPush(play, step.push);
  if (step.comment !== undefined) return playComment(play, step.comment);
  if (step.label !== undefined) return playLabel(play, step.label);
  if (step.resolve !== undefined) return playResolve(play);
  if (step.close_issue !== undefined) return playCloseIssue(play);
  if (step.base !== undefined) return playBasePush(play, step.base);
  if (step.close !== undefined) return playClose(play);
  if (step.merge !== undefined) return playMerge(play);
  play.tell("another signal arrives");
  await playSignal(world, step.signal!, `steps.${number - 1}.signal`, false);
}

async function firstPr(world: World): Promise<PullRequest | null> {
  const n = firstRemedyPr(world);
  return n === null ? null : await world.forge.getPullRequest(n);
}

/** The first of Remedy's PRs still open: what a reviewer merges or closes. */
async function openPr(world: World): Promise<PullRequest | null> {
  for (const w of world.forge.writes)
    if (w.kind === "pr") {
      const pr = await world.forge.getPullRequest(w.number);
      if (pr?.state === "open") return pr;
    }
  return null;
}

/** The PR or issue a comment or label lands on: Remedy's first PR, or the incident issue. */
async function targetOf(world: World, on: "pr" | "issue"): Promise<number | null> {
  return on === "pr" ? ((await firstPr(world))?.number ?? null) : world.incident;
}

function editMessage(spec: { message?: string | undefined; files: Record<string, unknown> }): string {
  return spec.message ?? `edit ${Object.keys(spec.files).join(", ")}`;
}

async function playPush({ world, tell, cannot }: StepPlay, push: NonNullable<Step["push"]>): Promise<void> {
  const pr = await firstPr(world);
  if (pr === null) return cannot("Remedy opened no PR to push to");
  const author = person(world, push.author_permission);
  const message = editMessage(push);
  const headSha = world.forge.pushAs(author, pr.head, push.files, message);
  tell(
    `@${author} (${push.author_permission}) pushes "${message}" to ${pr.head} (#${pr.number}): ${Object.keys(push.files).join(", ")}`,
  );
  await onPullRequestHead(world.deps, { pr: pr.number, headSha, action: "synchronize" });
}

async function playComment(play: StepPlay, comment: NonNullable<Step["comment"]>): Promise<void> {
  const { world, number, tell, cannot } = play;
  const target = await targetOf(world, comment.on);
  if (target === null)
    return cannot(`there is no ${comment.on === "pr" ? "Remedy PR" : "incident issue"} to comment on`);
  const author = person(world, comment.author_permission);
  world.forge.comments.push({ id: 1_000_000 + number, on: target, body: comment.body, author });
  tell(
    `@${author} (${comment.author_permission}) comments on #${target}: ${comment.body.split("\n")[0] ?? ""}`,
  );
  await onComment(world.deps, {
    number: target,
    isPullRequest: comment.on === "pr",
    body: comment.body,
    author,
    authorIsBot: false,
  });
}

async function playLabel(
  { world, tell, cannot }: StepPlay,
  label: NonNullable<Step["label"]>,
): Promise<void> {
  const target = await targetOf(world, label.on);
  if (target === null)
    return cannot(`there is no ${label.on === "pr" ? "Remedy PR" : "incident issue"} to label`);
  const actor = person(world, label.author_permission);
  const name = (label.add ?? label.remove) as string;
  const added = label.add !== undefined;
  if (added) await world.forge.addLabels(target, [name]);
  else await world.forge.removeLabel(target, name);
  tell(
    `@${actor} (${label.author_permission}) ${added ? "adds" : "removes"} the label ${name} on #${target}`,
  );
  await onLabel(world.deps, { on: label.on, number: target, label: name, added, actor });
}

async function playResolve({ world, tell, cannot }: StepPlay): Promise<void> {
  if (world.alert === null) return cannot("the top-level signal is not an Alertmanager alert");
  const resolved = resolvedPayload(world.alert, now(world));
  tell(`Alertmanager: group ${resolved.groupKey} resolved`);
  await onAlert(world.deps, resolved);
}

async function playCloseIssue({ world, tell, cannot }: StepPlay): Promise<void> {
  if (world.incident === null) return cannot("there is no incident issue to close");
  const issue = await world.forge.getIssue(world.incident);
  if (issue !== null) issue.state = "closed";
  tell(`@${person(world, "write")} closes incident #${world.incident}`);
  await onIssueClosed(world.deps, world.incident);
}

async function playBasePush({ world, tell }: StepPlay, base: NonNullable<Step["base"]>): Promise<void> {
  const author = person(world, "write");
  const message = editMessage(base);
  world.forge.seedCommit("main", base.files, message, now(world), author);
  tell(`@${author} pushes "${message}" to main: ${Object.keys(base.files).join(", ")}`);
  await onBasePush(world.deps, { branch: "main", pusher: author });
}

async function playClose({ world, tell, cannot }: StepPlay): Promise<void> {
  const pr = await openPr(world);
  if (pr === null) return cannot("Remedy has no open PR to close");
  Object.assign(pr, { state: "closed", merged: false });
  tell(`@oncall closes #${pr.number} without merging`);
  await onPullRequestClosed(world.deps, pr);
}

async function playMerge({ world, tell, cannot }: StepPlay): Promise<void> {
  const pr = await openPr(world);
  if (pr === null) return cannot("Remedy has no open PR to merge");
  // GitHub does not merge a draft: the reviewer's merge button is disabled until it is ready.
  if (pr.draft) return tell(`@oncall tries to merge #${pr.number}, but it is a draft: GitHub refuses`);
  const headSha = (await world.forge.branchHead(pr.head)) ?? null;
  tell(`@oncall approves and merges #${pr.number}`);
  await onReview(world.deps, {
    pr,
    reviewId: world.nextReviewId++,
    reviewer: "oncall",
    state: "approved",
    submittedAt: now(world),
    commitSha: headSha,
  });
  const verification = await verifyMerge(world, pr.number);
  if (world.verification === null && pr.number === firstRemedyPr(world)) world.verification = verification;
}

/** The group's resolved notification: the same alerts, each resolved now. */
export function resolvedPayload(payload: AlertPayload, at: string): AlertPayload {
  return {
    ...payload,
    status: "resolved",
    alerts: payload.alerts.map((alert) => ({ ...alert, status: "resolved", endsAt: at })),
  };
}

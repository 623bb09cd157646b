import { onAlert } from "../flows/on-alert.js";
import { onBasePush } from "../flows/on-base-push.js";
import { onComment } from "../flows/on-comment.js";
import { onIssueClosed } from "../flows/on-issue-closed.js";
import { onLabel } from "../flows/on-label.js";
import { onPullRequestClosed } from "../flows/on-pull-request-closed.js";
import { onPullRequestHead } from "../flows/on-pull-request-head.js";
import { onReview } from "../flows/on-review.js";
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

async function playStep(world: World, step: Step, number: number, late: string): Promise<void> {
  const { deps, forge } = world;
  const tell = (text: string): void => {
    world.events.push({ kind: "step", number, at: now(world), text: `${text}${late}` });
  };
  const cannot = (why: string) => {
    tell(`cannot be played: ${why}`);
    world.problems.push(`step ${number} (${stepKind(step)}): ${why}`);
  };
  const firstPr = async () => {
    const n = firstRemedyPr(world);
    return n === null ? null : await forge.getPullRequest(n);
  };
  /** The first of Remedy's PRs still open: what a reviewer merges or closes. */
  const openPr = async () => {
    for (const w of forge.writes)
      if (w.kind === "pr") {
        const pr = await forge.getPullRequest(w.number);
        if (pr?.state === "open") return pr;
      }
    return null;
  };

  if (step.push !== undefined) {
    const pr = await firstPr();
    if (pr === null) return cannot("Remedy opened no PR to push to");
    const author = person(world, step.push.author_permission);
    const message = step.push.message ?? `edit ${Object.keys(step.push.files).join(", ")}`;
    const headSha = forge.pushAs(author, pr.head, step.push.files, message);
    tell(
      `@${author} (${step.push.author_permission}) pushes "${message}" to ${pr.head} (#${pr.number}): ${Object.keys(step.push.files).join(", ")}`,
    );
    await onPullRequestHead(deps, { pr: pr.number, headSha, action: "synchronize" });
    return;
  }
  if (step.comment !== undefined) {
    const target = step.comment.on === "pr" ? ((await firstPr())?.number ?? null) : world.incident;
    if (target === null)
      return cannot(`there is no ${step.comment.on === "pr" ? "Remedy PR" : "incident issue"} to comment on`);
    const author = person(world, step.comment.author_permission);
    forge.comments.push({ id: 1_000_000 + number, on: target, body: step.comment.body, author });
    tell(
      `@${author} (${step.comment.author_permission}) comments on #${target}: ${step.comment.body.split("\n")[0] ?? ""}`,
    );
    await onComment(deps, {
      number: target,
      isPullRequest: step.comment.on === "pr",
      body: step.comment.body,
      author,
      authorIsBot: false,
    });
    return;
  }
  if (step.label !== undefined) {
    const { label } = step;
    const target = label.on === "pr" ? ((await firstPr())?.number ?? null) : world.incident;
    if (target === null)
      return cannot(`there is no ${label.on === "pr" ? "Remedy PR" : "incident issue"} to label`);
    const actor = person(world, label.author_permission);
    const name = (label.add ?? label.remove) as string;
    if (label.add !== undefined) await forge.addLabels(target, [name]);
    else await forge.removeLabel(target, name);
    tell(
      `@${actor} (${label.author_permission}) ${label.add !== undefined ? "adds" : "removes"} the label ${name} on #${target}`,
    );
    await onLabel(deps, { on: label.on, number: target, label: name, added: label.add !== undefined, actor });
    return;
  }
  if (step.resolve !== undefined) {
    if (world.alert === null) return cannot("the top-level signal is not an Alertmanager alert");
    const resolved = resolvedPayload(world.alert, now(world));
    tell(`Alertmanager: group ${resolved.groupKey} resolved`);
    await onAlert(deps, resolved);
    return;
  }
  if (step.close_issue !== undefined) {
    if (world.incident === null) return cannot("there is no incident issue to close");
    const issue = await forge.getIssue(world.incident);
    if (issue !== null) issue.state = "closed";
    tell(`@${person(world, "write")} closes incident #${world.incident}`);
    await onIssueClosed(deps, world.incident);
    return;
  }
  if (step.base !== undefined) {
    const author = person(world, "write");
    const message = step.base.message ?? `edit ${Object.keys(step.base.files).join(", ")}`;
    forge.seedCommit("main", step.base.files, message, now(world), author);
    tell(`@${author} pushes "${message}" to main: ${Object.keys(step.base.files).join(", ")}`);
    await onBasePush(deps, { branch: "main", pusher: author });
    return;
  }
  if (step.close !== undefined) {
    const pr = await openPr();
    if (pr === null) return cannot("Remedy has no open PR to close");
    Object.assign(pr, { state: "closed", merged: false });
    tell(`@oncall closes #${pr.number} without merging`);
    await onPullRequestClosed(deps, pr);
    return;
  }
  if (step.merge !== undefined) {
    const pr = await openPr();
    if (pr === null) return cannot("Remedy has no open PR to merge");
    // GitHub does not merge a draft: the reviewer's merge button is disabled until it is ready.
    if (pr.draft) return tell(`@oncall tries to merge #${pr.number}, but it is a draft: GitHub refuses`);
    const headSha = (await forge.branchHead(pr.head)) ?? null;
    tell(`@oncall approves and merges #${pr.number}`);
    await onReview(deps, {
      pr,
      reviewId: world.nextReviewId++,
      reviewer: "oncall",
      state: "approved",
      submittedAt: now(world),
      commitSha: headSha,
    });
    const verification = await verifyMerge(world, pr.number);
    if (world.verification === null && pr.number === firstRemedyPr(world)) world.verification = verification;
    return;
  }
  const signal = step.signal!;
  tell("another signal arrives");
  await playSignal(world, signal, `steps.${number - 1}.signal`, false);
}

/** The group's resolved notification: the same alerts, each resolved now. */
export function resolvedPayload(payload: AlertPayload, at: string): AlertPayload {
  return {
    ...payload,
    status: "resolved",
    alerts: payload.alerts.map((alert) => ({ ...alert, status: "resolved", endsAt: at })),
  };
}

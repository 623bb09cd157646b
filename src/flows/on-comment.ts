import type { Issue } from "../forge/forge.js";
import { readAlertIssue } from "../signals/alert-issue.js";
import { incidentFromIssue } from "../signals/incident-from-issue.js";
import { parseCommands, type Command } from "../signals/parse-commands.js";
import { canAct, type Role } from "../signals/role.js";
import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { handleIncident, type IncidentResult } from "./handle-incident.js";
import { dryRunPullRequest } from "./dry-run-pull-request.js";
import { rollbackPullRequest } from "./rollback-pull-request.js";
import { setPause } from "./set-pause.js";
import { setPullRequestValue } from "./set-pull-request-value.js";

export interface CommentSignal {
  /** The issue or PR number the comment is on. */
  number: number;
  isPullRequest: boolean;
  body: string;
  author: string;
  authorIsBot: boolean;
}

export type CommentResult =
  | { handled: false; why: string }
  | { handled: true; command: Command["name"]; result: IncidentResult | null };

/**
 * Slash commands on new comments. Only people with write, maintain or admin permission are obeyed;
 * Remedy ignores itself and other bots, so two bots can never loop.
 */
export async function onComment(deps: FlowDeps, comment: CommentSignal): Promise<CommentResult> {
  const accepted = await acceptCommand(deps, comment);
  if ("handled" in accepted) return accepted;
  const { command, role } = accepted;
  await auditSteps(deps, [
    {
      kind: "command",
      incident: comment.isPullRequest ? null : comment.number,
      pr: comment.isPullRequest ? comment.number : null,
      actor: comment.author,
      data: { command: command.name, role },
    },
  ]);
  if (command.name === "pause" || command.name === "resume") {
    await setPause(deps, {
      number: comment.number,
      isPullRequest: comment.isPullRequest,
      pause: command.name === "pause",
      actor: comment.author,
      via: "command",
    });
    return { handled: true, command: command.name, result: null };
  }
  return comment.isPullRequest
    ? runPullRequestCommand(deps, comment, command)
    : runIncidentCommand(deps, comment, command);
}

/**
 * The one command a comment carries, when its author may give it: a bot's comment or one without a
 * command is passed over; a person without write permission is told so (once an hour per thread).
 */
async function acceptCommand(
  deps: FlowDeps,
  comment: CommentSignal,
): Promise<{ handled: false; why: string } | { command: Command; role: Role }> {
  if (comment.authorIsBot || comment.author === deps.botLogin)
    return { handled: false, why: "comment by a bot" };
  const [command, ...others] = parseCommands(comment.body);
  if (command === undefined) return { handled: false, why: "no command" };
  const role = await deps.forge.permission(comment.author);
  if (!canAct(role)) {
    // One refusal per person and thread per hour: repeating a command must not make Remedy spam.
    if (await deps.store.claim(`refusal:${deps.forge.repo}#${comment.number}:${comment.author}`, 3600)) {
      await deps.forge.comment(
        comment.number,
        `@${comment.author} \`/${command.name}\` needs write, maintain or admin permission on this repository (you have ${role}). Nothing was done.`,
      );
    }
    return { handled: false, why: `author has ${role} permission` };
  }
  if (others.length > 0) {
    await deps.forge.comment(
      comment.number,
      `Remedy runs one command per comment; it ran \`/${command.name}\` and ignored ${others.map((c) => `\`/${c.name}\``).join(", ")}.`,
    );
  }
  return { command, role };
}

/** A command on a PR: `/dry-run`, `/rollback` and `/set` act on it; the others are the incident's. */
async function runPullRequestCommand(
  deps: FlowDeps,
  comment: CommentSignal,
  command: Command,
): Promise<CommentResult> {
  if (command.name === "dry-run") await dryRunPullRequest(deps, comment.number);
  else if (command.name === "rollback")
    await rollbackPullRequest(deps, comment.number, comment.author, {
      force: command.argument.split(/\s+/)[0] === "--force",
    });
  else if (command.name === "set")
    await setPullRequestValue(deps, comment.number, command.argument, comment.author);
  else
    await deps.forge.comment(
      comment.number,
      `\`/${command.name}\` works on incident issues; on a PR use \`/dry-run\`, \`/rollback\` or \`/set <value>\`.`,
    );
  return { handled: true, command: command.name, result: null };
}

/** A command on an incident issue runs the incident loop; `/rollback` and `/set` belong on the PR. */
async function runIncidentCommand(
  deps: FlowDeps,
  comment: CommentSignal,
  command: Command,
): Promise<CommentResult> {
  const issue = await deps.forge.getIssue(comment.number);
  if (issue === null || !issue.labels.includes("incident")) {
    await deps.forge.comment(
      comment.number,
      `\`/${command.name}\` works on issues labelled \`incident\`. Add the label to this issue to let Remedy diagnose it.`,
    );
    return { handled: false, why: "not an incident issue" };
  }
  if (command.name === "rollback") {
    await deps.forge.comment(
      comment.number,
      "`/rollback` works on a merged Remedy PR (or a merged PR that changed a configured field): comment it there.",
    );
    return { handled: false, why: "rollback on an issue" };
  }
  if (command.name === "set") {
    await deps.forge.comment(
      comment.number,
      "`/set <value>` changes the value of an open Remedy PR: comment it on the PR. On an incident, name the value with `/propose` (e.g. `/propose scale to 8`).",
    );
    return { handled: false, why: "set on an issue" };
  }
  const incident = await incidentForCommand(deps, issue, command, comment.author);
  const mode = command.name === "dry-run" ? "dry-run" : command.name === "propose" ? "propose" : "auto";
  return {
    handled: true,
    command: command.name,
    result: await handleIncident(deps, incident, mode, comment.author),
  };
}

/**
 * The incident behind an issue, re-read for a command. The command's own text is trusted (its author
 * has write permission); the issue's text is trusted only if its author has write permission too.
 */
async function incidentForCommand(deps: FlowDeps, issue: Issue, command: Command, commenter: string) {
  const commandText = command.text.replace(/^\/[a-z-]+/gm, "").trim();
  const fromAlert = readAlertIssue(issue.body, issue.author, deps.botLogin);
  if (fromAlert !== null) {
    return {
      ...fromAlert,
      source: "comment" as const,
      issue: issue.number,
      trustedText: commandText,
      text: `${fromAlert.text}\n${commandText}`,
      author: { login: commenter, role: "write" as const },
    };
  }
  const role = await deps.forge.permission(issue.author);
  const base = incidentFromIssue(deps.forge.repo, { ...issue, role });
  return {
    ...base,
    source: "comment" as const,
    text: `${base.text}\n${commandText}`,
    trustedText: [base.trustedText, commandText].filter(Boolean).join("\n"),
  };
}

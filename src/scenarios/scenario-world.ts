import { validateData } from "../config/parse-with-schema.js";
import type { FlowDeps } from "../flows/deps.js";
import type { IncidentResult } from "../flows/handle-incident.js";
import { onAlert } from "../flows/on-alert.js";
import { onComment } from "../flows/on-comment.js";
import { onIncidentIssue } from "../flows/on-issue.js";
import type { Outcome } from "../flows/plan-incident.js";
import { startVerification } from "../flows/start-verification.js";
import { verificationTick } from "../flows/verification-tick.js";
import type { InMemoryForge, Write } from "../forge/memory/in-memory-forge.js";
import { AlertPayload } from "../signals/alert-payload.js";
import type { Role } from "../signals/role.js";
import type { VerificationRecord } from "../store/store.js";
import { nextEvaluationAt } from "../verification/next-evaluation-at.js";
import type { RecordedWrite } from "./recording-forge.js";
import type { Scenario } from "./scenario-schema.js";

export type StoryEvent =
  | { kind: "signal"; text: string }
  | { kind: "outcome"; outcome: Outcome | null; note: string }
  | { kind: "pr"; number: number; title: string; body: string; files: string[] }
  | { kind: "comment"; on: number; body: string }
  | { kind: "merge"; number: number; sha: string }
  | { kind: "tick"; record: VerificationRecord }
  | { kind: "verdict"; record: VerificationRecord }
  | { kind: "revert"; number: number; title: string; body: string }
  /** v2: a step of the scenario, told before what Remedy did about it. */
  | { kind: "step"; number: number; at: string; text: string }
  /** v2: a GitHub write by Remedy other than a PR or a comment (labels, commits, drafts, ...). */
  | { kind: "write"; text: string };

/** The signal as the scenario file gives it (top level or a `signal` step). */
export type ScenarioSignal = Scenario["signal"];

/** Everything a scenario run shares: the forge, the ports, the clock and what has been seen so far. */
export interface World {
  scenario: Scenario;
  /** The forge itself: people (the runner) act on it directly; Remedy sees `deps.forge`. */
  forge: InMemoryForge;
  deps: FlowDeps;
  clock: { ms: number };
  events: StoryEvent[];
  /** Every GitHub write Remedy made, with the step it belongs to. */
  writes: RecordedWrite[];
  /** The step being played: 0 while Remedy answers the top-level signal. */
  step: number;
  /** The incident issue of the top-level signal, once there is one. */
  incident: number | null;
  /** The top-level alert payload, for `resolve`. */
  alert: AlertPayload | null;
  /** The verification of the first merged Remedy PR, and its outcome. */
  verification: VerificationRecord | null;
  revertOpened: boolean;
  /** Steps that could not be played as written (judged as failures). */
  problems: string[];
  /** How many forge writes the story has already told. */
  told: number;
  nextReviewId: number;
}

/** People in a scenario, one per permission, so the story reads like a repository's own. */
const PEOPLE: Record<Role, string> = {
  admin: "avery",
  maintain: "morgan",
  write: "wren",
  triage: "tate",
  read: "reese",
  none: "nico",
};

/** The login acting with `role` (or `login`, when given); its permission is set on the forge. */
export function person(world: World, role: string, login?: string): string {
  const who = login ?? PEOPLE[role as Role] ?? `user-${role}`;
  world.forge.permissions[who] = role as Role;
  return who;
}

export function now(world: World): string {
  return new Date(world.clock.ms).toISOString();
}

/**
 * One signal as a webhook would deliver it. Returns Remedy's answer and the incident issue it is about.
 * `label` names it in errors (`signal`, `steps.3.signal`); the top-level signal's people are
 * @reporter and @commenter, as in v1.
 */
export async function playSignal(
  world: World,
  signal: ScenarioSignal,
  label: string,
  topLevel: boolean,
): Promise<{ result: IncidentResult | null; issue: number | null; alert: AlertPayload | null }> {
  const { deps, forge, events } = world;
  if (signal.alertmanager !== undefined) {
    const payload = validateData(`${label}.alertmanager`, signal.alertmanager, AlertPayload);
    events.push({
      kind: "signal",
      text: `Alertmanager ${payload.status} group ${payload.groupKey} (${payload.alerts.length} alert${payload.alerts.length === 1 ? "" : "s"})`,
    });
    const result = await onAlert(deps, payload);
    return { result, issue: result.issue, alert: payload };
  }
  if (signal.issue !== undefined) {
    const reporter = person(world, signal.issue.author_permission, topLevel ? "reporter" : undefined);
    const issue = forge.openIssueAs(reporter, {
      title: signal.issue.title,
      body: signal.issue.body,
      labels: ["incident"],
    });
    events.push({
      kind: "signal",
      text: `Issue #${issue.number} opened by @${reporter} (${signal.issue.author_permission}) with label incident: "${issue.title}"`,
    });
    return { result: await onIncidentIssue(deps, issue), issue: issue.number, alert: null };
  }
  const comment = signal.comment!;
  const reporter = person(world, comment.issue.author_permission, topLevel ? "reporter" : undefined);
  const commenter = person(world, comment.author_permission, topLevel ? "commenter" : undefined);
  const issue = forge.openIssueAs(reporter, {
    title: comment.issue.title,
    body: comment.issue.body,
    labels: ["incident"],
  });
  events.push({
    kind: "signal",
    text: `Comment by @${commenter} (${comment.author_permission}) on incident #${issue.number}: ${comment.body.split("\n")[0] ?? ""}`,
  });
  const result = await onComment(deps, {
    number: issue.number,
    isPullRequest: false,
    body: comment.body,
    author: commenter,
    authorIsBot: false,
  });
  return { result: result.handled ? result.result : null, issue: issue.number, alert: null };
}

/**
 * A reviewer merged PR `number`: verification starts and every evaluation runs at its simulated time
 * until the verdict (the v1 merge path, and a v2 `merge` step).
 */
export async function verifyMerge(world: World, number: number): Promise<VerificationRecord | null> {
  const { deps, forge, events, clock } = world;
  const sha = forge.merge(number);
  events.push({ kind: "merge", number, sha });
  let verification = await startVerification(deps, (await forge.getPullRequest(number))!);
  if (verification !== null) {
    const { plan } = verification;
    events.push({
      kind: "write",
      text: `verifies the value merged: ${plan.field} ${plan.before} → ${plan.after} in ${plan.target.file} at ${sha.slice(0, 12)}`,
    });
  }
  tellWrites(world);
  for (let guard = 0; verification !== null && guard < 10_000; guard++) {
    const at = Date.parse(nextEvaluationAt(verification.verdict) ?? now(world));
    clock.ms = Math.max(clock.ms, at);
    const tick = await verificationTick(deps, verification);
    verification = tick.record;
    events.push({ kind: tick.done ? "verdict" : "tick", record: verification });
    if (tick.revert?.status === "opened") {
      world.revertOpened = true;
      events.push({
        kind: "revert",
        number: tick.revert.pr.number,
        title: tick.revert.pr.title,
        body: tick.revert.pr.body,
      });
    }
    tellWrites(world, ["comment"]);
    if (tick.done) break;
  }
  return verification;
}

/**
 * Adds Remedy's forge writes since the last call to the story, up to `until` (the in-memory forge's
 * write count): PRs and comments, and with v2 commits and packet rewrites. `only` keeps some kinds.
 */
export function tellWrites(world: World, only?: Array<Write["kind"]>, until?: number): void {
  const { forge, events } = world;
  const end = until ?? forge.writes.length;
  const fresh = forge.writes.slice(world.told, end);
  world.told = Math.max(world.told, end);
  for (const write of fresh) {
    if (only !== undefined && !only.includes(write.kind)) continue;
    if (write.kind === "pr")
      events.push({
        kind: "pr",
        number: write.number,
        title: write.title,
        body: write.body,
        files: forge.changedFiles(write.number),
      });
    if (write.kind === "comment") events.push({ kind: "comment", on: write.on, body: write.body });
    if (write.kind === "commit")
      events.push({
        kind: "write",
        text: `commits ${write.path} to ${write.branch}: ${write.message.split("\n")[0]}`,
      });
    if (write.kind === "pr-body")
      events.push({
        kind: "write",
        text: `rewrites the approval packet of #${write.number}${modifiedLine(write.body)}`,
      });
  }
}

/** Forge calls the in-memory forge's own write log tells (with their text), or too small to tell. */
const TOLD_ELSEWHERE = new Set([
  "openPullRequest",
  "updatePullRequestBody",
  "commitFile",
  "comment",
  "upsertComment",
  "createIssue",
  "updateCheckRun",
]);

/** Tells what Remedy wrote in `step` in the order it happened: labels and check runs among PRs and comments. */
export function tellStepWrites(world: World, step: number): void {
  for (const write of world.writes) {
    if (write.step !== step || TOLD_ELSEWHERE.has(write.method)) continue;
    tellWrites(world, undefined, write.mark);
    world.events.push({ kind: "write", text: write.detail });
  }
  tellWrites(world);
}

/** Remedy's first PR in this run (seeded `open_prs` are not Remedy's answer), or null. */
export function firstRemedyPr(world: World): number | null {
  const write = world.forge.writes.find((w) => w.kind === "pr");
  return write?.kind === "pr" ? write.number : null;
}

/** The packet's "Modified by" line (Remedy's own words), so the story says who changed the value. */
function modifiedLine(body: string): string {
  const line = body.split("\n").find((l) => l.startsWith("**Modified by @"));
  return line === undefined ? "" : `: ${line.replaceAll("**", "")}`;
}

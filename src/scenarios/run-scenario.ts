import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AuditLedger, type LedgerEntry } from "../audit/index.js";
import { validateData } from "../config/parse-with-schema.js";
import type { FlowDeps } from "../flows/deps.js";
import type { IncidentResult } from "../flows/handle-incident.js";
import { onAlert } from "../flows/on-alert.js";
import { onComment } from "../flows/on-comment.js";
import { onIncidentIssue } from "../flows/on-issue.js";
import type { Outcome } from "../flows/plan-incident.js";
import { startVerification, verificationTick } from "../flows/verify-merged.js";
import { InMemoryForge, type Write } from "../forge/memory/in-memory-forge.js";
import { readField } from "../manifests/index.js";
import { parsePacket } from "../proposal/approval-packet.js";
import type { Plan } from "../proposal/plan.js";
import { AlertPayload } from "../signals/alert-payload.js";
import { MemoryStore, type VerificationRecord } from "../store/store.js";
import { nextEvaluationAt } from "../verification/next-evaluation-at.js";
import { ScriptedHealth } from "../verification/scripted-health.js";
import type { Outcome as VerifyOutcome } from "../verification/verdict-state.js";
import { globToRegExp } from "./glob-to-regexp.js";
import { readTree } from "./read-tree.js";
import type { Scenario } from "./scenario-schema.js";

/** The project's own example GitOps repository (the default repo of a scenario). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const EXAMPLE_PATHS = /^(\.github\/remedy\.yml|manifests\/|policies\/|runbooks\/)/;
const BOT = "remedy[bot]";

export interface ScenarioRun {
  scenario: Scenario;
  forge: InMemoryForge;
  outcome: Outcome | null;
  /** What the runner saw, in order: the story `remedy simulate` tells. */
  events: StoryEvent[];
  verification: VerificationRecord | null;
  verify: VerifyOutcome | null;
  revertOpened: boolean;
  ledger: LedgerEntry[];
}

export type StoryEvent =
  | { kind: "signal"; text: string }
  | { kind: "outcome"; outcome: Outcome | null; note: string }
  | { kind: "pr"; number: number; title: string; body: string; files: string[] }
  | { kind: "comment"; on: number; body: string }
  | { kind: "merge"; number: number; sha: string }
  | { kind: "tick"; record: VerificationRecord }
  | { kind: "verdict"; record: VerificationRecord }
  | { kind: "revert"; number: number; title: string; body: string };

export interface ScenarioOptions {
  /** A model diagnoser (`remedy eval --model`); without it the deterministic rules decide alone. */
  diagnoser?: FlowDeps["diagnoser"];
}

/** Plays one scenario on the in-memory forge with a simulated clock: no network, no waiting. */
export async function runScenario(
  scenario: Scenario,
  scenarioFile: string,
  options: ScenarioOptions = {},
): Promise<ScenarioRun> {
  let clock = Date.parse(scenario.now);
  const now = () => new Date(clock).toISOString();
  const forge = new InMemoryForge({ now, botLogin: BOT, permissions: { oncall: "write" } });
  await seedRepository(forge, scenario, scenarioFile);

  const scripted = new ScriptedHealth(scenario.after_merge?.health ?? {}, scenario.after_merge?.rollout);
  const deps: FlowDeps = {
    forge,
    audit: new AuditLedger(forge.ledger),
    store: new MemoryStore(() => clock),
    now,
    log: { info() {}, warn() {}, error() {} },
    botLogin: BOT,
    // One source for the whole run: the k-th evaluation reads the k-th value of each series.
    health: () => ({ health: scripted, rollout: scripted }),
    ...(options.diagnoser === undefined ? {} : { diagnoser: options.diagnoser }),
  };

  const events: StoryEvent[] = [];
  const writesBefore = forge.writes.length;
  const result = await playSignal(deps, forge, scenario, events);
  const outcome = result?.outcome ?? null;
  events.push({ kind: "outcome", outcome, note: result?.error ?? "" });
  recordWrites(forge, forge.writes.slice(writesBefore), events);

  let verification: VerificationRecord | null = null;
  let revertOpened = false;
  const pr = result?.proposal?.status === "opened" ? result.proposal.pr : null;
  if (scenario.after_merge !== undefined && pr !== null) {
    clock += 5 * 60_000;
    const sha = forge.merge(pr.number);
    events.push({ kind: "merge", number: pr.number, sha });
    verification = await startVerification(deps, (await forge.getPullRequest(pr.number))!);
    for (let guard = 0; verification !== null && guard < 10_000; guard++) {
      const at = Date.parse(nextEvaluationAt(verification.verdict) ?? now());
      clock = Math.max(clock, at);
      const writesAt = forge.writes.length;
      const tick = await verificationTick(deps, verification);
      verification = tick.record;
      events.push({ kind: tick.done ? "verdict" : "tick", record: verification });
      if (tick.revert?.status === "opened") {
        revertOpened = true;
        events.push({
          kind: "revert",
          number: tick.revert.pr.number,
          title: tick.revert.pr.title,
          body: tick.revert.pr.body,
        });
      }
      recordWrites(
        forge,
        forge.writes.slice(writesAt).filter((w) => w.kind === "comment"),
        events,
      );
      if (tick.done) break;
    }
  }
  return {
    scenario,
    forge,
    outcome,
    events,
    verification,
    verify: verification?.verdict.outcome ?? null,
    revertOpened,
    ledger: await deps.audit.entries(),
  };
}

async function playSignal(
  deps: FlowDeps,
  forge: InMemoryForge,
  scenario: Scenario,
  events: StoryEvent[],
): Promise<IncidentResult | null> {
  const { signal } = scenario;
  if (signal.alertmanager !== undefined) {
    const payload = validateData("signal.alertmanager", signal.alertmanager, AlertPayload);
    events.push({
      kind: "signal",
      text: `Alertmanager ${payload.status} group ${payload.groupKey} (${payload.alerts.length} alert${payload.alerts.length === 1 ? "" : "s"})`,
    });
    return onAlert(deps, payload);
  }
  if (signal.issue !== undefined) {
    forge.permissions.reporter = signal.issue.author_permission as never;
    const issue = forge.openIssueAs("reporter", {
      title: signal.issue.title,
      body: signal.issue.body,
      labels: ["incident"],
    });
    events.push({
      kind: "signal",
      text: `Issue #${issue.number} opened by @reporter (${signal.issue.author_permission}) with label incident: "${issue.title}"`,
    });
    return onIncidentIssue(deps, issue);
  }
  const comment = signal.comment!;
  forge.permissions.reporter = comment.issue.author_permission as never;
  forge.permissions.commenter = comment.author_permission as never;
  const issue = forge.openIssueAs("reporter", {
    title: comment.issue.title,
    body: comment.issue.body,
    labels: ["incident"],
  });
  events.push({
    kind: "signal",
    text: `Comment by @commenter (${comment.author_permission}) on incident #${issue.number}: ${comment.body.split("\n")[0] ?? ""}`,
  });
  const result = await onComment(deps, {
    number: issue.number,
    isPullRequest: false,
    body: comment.body,
    author: "commenter",
    authorIsBot: false,
  });
  return result.handled ? result.result : null;
}

function recordWrites(forge: InMemoryForge, writes: Write[], events: StoryEvent[]): void {
  for (const write of writes) {
    if (write.kind === "pr")
      events.push({
        kind: "pr",
        number: write.number,
        title: write.title,
        body: write.body,
        files: forge.changedFiles(write.number),
      });
    if (write.kind === "comment") events.push({ kind: "comment", on: write.on, body: write.body });
  }
}

async function seedRepository(forge: InMemoryForge, scenario: Scenario, scenarioFile: string): Promise<void> {
  const { repo } = scenario;
  const base =
    repo.dir !== undefined
      ? await readTree(resolve(dirname(scenarioFile), repo.dir))
      : Object.keys(repo.files).length === 0
        ? await readTree(PROJECT_ROOT, (path) => EXAMPLE_PATHS.test(path))
        : {};
  const final = { ...base, ...repo.files };
  const historyPaths = new Set(repo.history.flatMap((h) => Object.keys(h.files)));
  const first = repo.history[0]?.at ?? new Date(Date.parse(scenario.now) - 86_400_000).toISOString();
  const initial = Object.fromEntries(Object.entries(final).filter(([path]) => !historyPaths.has(path)));
  forge.seedCommit(
    "main",
    initial,
    "Initial GitOps repository",
    new Date(Date.parse(first) - 86_400_000).toISOString(),
  );
  for (const commit of repo.history) forge.seedCommit("main", commit.files, commit.message, commit.at);
  const last = repo.history.at(-1)?.at ?? first;
  const finalAt = new Date(
    Math.min(Date.parse(scenario.now) - 3_600_000, Date.parse(last) + 3_600_000),
  ).toISOString();
  forge.seedCommit("main", final, "Current state", finalAt < last ? last : finalAt);
  for (const pr of repo.open_prs) {
    forge.seedCommit(pr.branch, {}, `open PR ${pr.branch}`, pr.opened_at);
    forge.seedPullRequest({
      head: pr.branch,
      labels: ["remedy", `service:${pr.service}`, `env:${pr.environment}`],
      createdAt: pr.opened_at,
      title: `Remedy PR for ${pr.service} in ${pr.environment}`,
    });
  }
}

export interface ScenarioVerdict {
  name: string;
  category: string;
  passed: boolean;
  unsafe: boolean;
  failures: string[];
}

/** Compares a run with the scenario's `expect`, including `never` over everything Remedy wrote. */
export function judgeScenario(run: ScenarioRun): ScenarioVerdict {
  const { scenario, outcome, forge } = run;
  const expect = scenario.expect;
  const failures: string[] = [];
  const plan = outcome?.plan ?? null;
  const decision = outcome?.decision ?? "none";
  const differ = (what: string, expected: unknown, actual: unknown) => {
    if (String(expected) !== String(actual))
      failures.push(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  };
  differ("decision", expect.decision, decision);
  if (expect.service !== undefined)
    differ("service", expect.service, plan?.service ?? outcome?.resolution?.service ?? null);
  if (expect.environment !== undefined)
    differ("environment", expect.environment, plan?.environment ?? outcome?.resolution?.environment ?? null);
  if (expect.runbook !== undefined)
    differ("runbook", expect.runbook, outcome?.diagnosis?.runbook?.id ?? null);
  if (expect.change !== undefined) {
    if (plan === null) failures.push("change: expected a change, none planned");
    else {
      differ("change.file", expect.change.file, plan.target.file);
      differ("change.field", expect.change.field, plan.field);
      if ("from" in expect.change) {
        differ("change.from", expect.change.from, plan.before);
        differ("change.to", expect.change.to, plan.after);
      }
    }
  }
  if (expect.reviewers_include !== undefined) {
    const missing = expect.reviewers_include.filter((r) => !(plan?.reviewers ?? []).includes(r));
    if (missing.length > 0)
      failures.push(
        `reviewers: missing ${missing.join(", ")} (got ${(plan?.reviewers ?? []).join(", ") || "none"})`,
      );
  }
  if (expect.verify !== undefined) differ("verify", expect.verify, run.verify);
  if (expect.revert !== undefined) differ("revert", expect.revert, run.revertOpened);

  const unsafe = checkNever(scenario, forge);
  failures.push(...unsafe);
  return {
    name: scenario.name,
    category: scenario.category,
    passed: failures.length === 0,
    unsafe: unsafe.length > 0,
    failures,
  };
}

function checkNever(scenario: Scenario, forge: InMemoryForge): string[] {
  const problems: string[] = [];
  const plans: Plan[] = forge.pullRequests.flatMap((pr) => parsePacket(pr.body) ?? []);
  const texts = forge.writes.flatMap((w) =>
    w.kind === "pr"
      ? [w.title, w.body]
      : w.kind === "pr-body" || w.kind === "comment"
        ? [w.body]
        : w.kind === "issue"
          ? [w.title, w.body]
          : [],
  );
  for (const rule of scenario.expect.never) {
    if ("touches" in rule) {
      const pattern = globToRegExp(rule.touches);
      for (const write of forge.writes)
        if (write.kind === "commit" && pattern.test(write.path))
          problems.push(`never touches ${rule.touches}: Remedy committed ${write.path}`);
    } else if ("replicas_above" in rule) {
      for (const plan of plans)
        if (plan.field === "replicas" && Number(plan.after) > rule.replicas_above)
          problems.push(`never replicas above ${rule.replicas_above}: a PR sets ${plan.after}`);
      for (const write of forge.writes) {
        if (write.kind !== "commit") continue;
        const plan = plans.find((p) => p.target.file === write.path);
        const read = plan === undefined ? null : readField(write.content, plan.target, "replicas");
        if (read?.ok && Number(read.value) > rule.replicas_above)
          problems.push(`never replicas above ${rule.replicas_above}: ${write.path} gets ${read.value}`);
      }
    } else {
      const needle = rule.text.toLowerCase();
      for (const text of texts)
        if (stripFences(text).toLowerCase().includes(needle))
          problems.push(`never text "${rule.text}": found outside a fenced quote`);
    }
  }
  return [...new Set(problems)];
}

/** Removes fenced blocks (``` or ~~~, any length) so only text outside quotes remains. */
export function stripFences(markdown: string): string {
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split("\n")) {
    const match = /^\s*(`{3,}|~{3,})/.exec(line);
    if (match) {
      const marker = match[1] as string;
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      continue;
    }
    if (fence === null) out.push(line);
  }
  return out.join("\n");
}

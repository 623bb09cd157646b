import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AuditLedger, type LedgerEntry } from "../audit/index.js";
import type { FlowDeps } from "../flows/deps.js";
import type { Outcome } from "../flows/plan-incident.js";
import { InMemoryForge } from "../forge/memory/in-memory-forge.js";
import { readField } from "../manifests/index.js";
import { parsePacket } from "../proposal/approval-packet.js";
import type { Plan } from "../proposal/plan.js";
import { MemoryStore, type VerificationRecord } from "../store/store.js";
import { ScriptedHealth } from "../verification/scripted-health.js";
import type { Outcome as VerifyOutcome } from "../verification/verdict-state.js";
import { globToRegExp } from "./glob-to-regexp.js";
import {
  judgeFinalChange,
  judgeSteps,
  observeFinal,
  writesAfterStep,
  type Differ,
  type FinalState,
} from "./judge-steps.js";
import { playSteps } from "./play-steps.js";
import { readTree } from "./read-tree.js";
import { recordingForge, type RecordedWrite } from "./recording-forge.js";
import type { Scenario } from "./scenario-schema.js";
import {
  firstRemedyPr,
  playSignal,
  tellWrites,
  verifyMerge,
  type StoryEvent,
  type World,
} from "./scenario-world.js";

export type { StoryEvent } from "./scenario-world.js";

/** The project's own example GitOps repository (the default repo of a scenario). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const EXAMPLE_PATHS = /^(\.github\/remedy\.yml|manifests\/|policies\/|runbooks\/)/;
const BOT = "remedy[bot]";

export interface ScenarioRun {
  scenario: Scenario;
  forge: InMemoryForge;
  /** The ports the run used (v2 judging reads Remedy's own plans through them). */
  deps: FlowDeps;
  outcome: Outcome | null;
  /** What the runner saw, in order: the story `remedy simulate` tells. */
  events: StoryEvent[];
  verification: VerificationRecord | null;
  verify: VerifyOutcome | null;
  revertOpened: boolean;
  ledger: LedgerEntry[];
  /** v2: every GitHub write Remedy made, with the step it belongs to (0: the signal). */
  writes: RecordedWrite[];
  /** v2: Remedy's first PR and the incident issue of the top-level signal. */
  firstPr: number | null;
  incident: number | null;
  /** v2: steps that could not be played as written. */
  problems: string[];
  /** v2: Remedy's first PR as it stands after the last step (null: no PR). */
  final: FinalState | null;
}

export interface ScenarioOptions {
  /** A model diagnoser (`remedy eval --model`); without it the deterministic rules decide alone. */
  diagnoser?: FlowDeps["diagnoser"];
}

/**
 * Plays one scenario on the in-memory forge with a simulated clock: no network, no waiting. The
 * signal first (with any `concurrent` signals at the same instant), then each step; without steps,
 * `after_merge` merges Remedy's PR as in v1.
 */
export async function runScenario(
  scenario: Scenario,
  scenarioFile: string,
  options: ScenarioOptions = {},
): Promise<ScenarioRun> {
  const world = createWorld(scenario, options);
  await seedRepository(world.forge, scenario, scenarioFile);
  world.told = world.forge.writes.length;
  const top = await playTopSignal(world);
  const outcome = top.result?.outcome ?? null;
  world.events.push({ kind: "outcome", outcome, note: top.result?.error ?? "" });
  tellWrites(world, ["pr", "comment"]);

  if (scenario.steps !== undefined) await playSteps(world, scenario.steps);
  else {
    const pr = top.result?.proposal?.status === "opened" ? top.result.proposal.pr : null;
    if (scenario.after_merge !== undefined && pr !== null) {
      world.clock.ms += 5 * 60_000;
      world.verification = await verifyMerge(world, pr.number);
    }
  }
  return collectRun(world, outcome);
}

/** The in-memory forge, the scripted health and the ports Remedy runs on, at the scenario's `now`. */
function createWorld(scenario: Scenario, options: ScenarioOptions): World {
  const clock = { ms: Date.parse(scenario.now) };
  const now = () => new Date(clock.ms).toISOString();
  const forge = new InMemoryForge({ now, botLogin: BOT, permissions: { oncall: "write" } });
  const scripted = new ScriptedHealth(
    scenario.after_merge?.health ?? {},
    scenario.after_merge?.rollout,
    scenario.after_merge?.baseline ?? {},
  );
  const writes: RecordedWrite[] = [];
  const world: World = {
    scenario,
    forge,
    deps: undefined as unknown as FlowDeps,
    clock,
    events: [],
    writes,
    step: 0,
    incident: null,
    alert: null,
    verification: null,
    revertOpened: false,
    problems: [],
    // Set once the repository is seeded: the story tells only what comes after.
    told: 0,
    nextReviewId: 1,
  };
  world.deps = {
    forge: recordingForge(
      forge,
      writes,
      () => world.step,
      () => forge.writes.length,
    ),
    audit: new AuditLedger(forge.ledger),
    store: new MemoryStore(() => clock.ms),
    now,
    log: { info() {}, warn() {}, error() {} },
    botLogin: BOT,
    // One source for the whole run: the k-th evaluation reads the k-th value of each series.
    health: () => ({ health: scripted, rollout: scripted }),
    ...(options.diagnoser === undefined ? {} : { diagnoser: options.diagnoser }),
  };
  return world;
}

/** The top-level signal, with any `concurrent` signals at the same instant (the per-field lock's test). */
async function playTopSignal(world: World): Promise<Awaited<ReturnType<typeof playSignal>>> {
  const { scenario } = world;
  const concurrent = (scenario.steps ?? []).flatMap((step, i) =>
    step.signal?.concurrent === true ? [{ signal: step.signal, label: `steps.${i}.signal` }] : [],
  );
  const [top] = await Promise.all([
    playSignal(world, scenario.signal, "signal", true),
    ...concurrent.map((c) => playSignal(world, c.signal, c.label, false)),
  ]);
  world.incident = top.issue;
  world.alert = top.alert;
  return top;
}

async function collectRun(world: World, outcome: Outcome | null): Promise<ScenarioRun> {
  const { scenario, forge, deps } = world;
  const ledger = await deps.audit.entries();
  const firstPr = firstRemedyPr(world);
  return {
    scenario,
    forge,
    deps,
    outcome,
    events: world.events,
    verification: world.verification,
    verify: world.verification?.verdict.outcome ?? null,
    revertOpened: world.revertOpened || ledger.some((e) => e.kind === "revert.opened"),
    ledger,
    writes: world.writes,
    firstPr,
    incident: world.incident,
    problems: world.problems,
    final: await observeFinal(deps, forge, firstPr, world.incident),
  };
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
  const { scenario, forge } = run;
  const failures: string[] = [];
  const differ: Differ = (what, expected, actual) => {
    if (String(expected) !== String(actual))
      failures.push(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  };
  judgeExpectations(run, differ, failures);
  judgeSteps(
    scenario,
    {
      forge,
      final: run.final,
      writes: run.writes,
      ledgerKinds: run.ledger.map((e) => e.kind),
      problems: run.problems,
    },
    differ,
    failures,
  );

  const unsafe = [
    ...checkNever(scenario, forge),
    ...scenario.expect.never.flatMap((rule) =>
      "writes_after_step" in rule ? writesAfterStep(rule.writes_after_step, run.writes) : [],
    ),
  ];
  failures.push(...unsafe);
  return {
    name: scenario.name,
    category: scenario.category,
    passed: failures.length === 0,
    unsafe: unsafe.length > 0,
    failures,
  };
}

/** The decision, target, runbook, change, reviewers, verdict and revert the scenario expects. */
function judgeExpectations(run: ScenarioRun, differ: Differ, failures: string[]): void {
  const { scenario, outcome } = run;
  const expect = scenario.expect;
  const plan = outcome?.plan ?? null;
  if (expect.decision !== undefined) differ("decision", expect.decision, outcome?.decision ?? "none");
  if (expect.service !== undefined)
    differ("service", expect.service, plan?.service ?? outcome?.resolution?.service ?? null);
  if (expect.environment !== undefined)
    differ("environment", expect.environment, plan?.environment ?? outcome?.resolution?.environment ?? null);
  if (expect.runbook !== undefined)
    differ("runbook", expect.runbook, outcome?.diagnosis?.runbook?.id ?? null);
  if (expect.change !== undefined && scenario.steps !== undefined && run.final !== null)
    judgeFinalChange(expect.change, run.final.change, differ, failures);
  else if (expect.change !== undefined) {
    if (plan === null) failures.push("change: expected a change, none planned");
    else {
      differ("change.file", expect.change.file, plan.target.file);
      differ("change.field", expect.change.field, plan.field);
      if (expect.change.from !== undefined) differ("change.from", expect.change.from, plan.before);
      if (expect.change.to !== undefined) differ("change.to", expect.change.to, plan.after);
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
}

function checkNever(scenario: Scenario, forge: InMemoryForge): string[] {
  const problems: string[] = [];
  // The plans Remedy proposed when it opened each PR; later packets may report a value a person
  // pushed, and what Remedy itself committed is judged from its commits below.
  const plans: Plan[] = forge.writes.flatMap((w) => (w.kind === "pr" ? (parsePacket(w.body) ?? []) : []));
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
    } else if ("text" in rule) {
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

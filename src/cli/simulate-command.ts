import { InvalidFileError } from "../config/invalid-file-error.js";
import { hidePlanBlock } from "../proposal/approval-packet.js";
import { loadScenario } from "../scenarios/load-scenarios.js";
import { judgeScenario, runScenario, type StoryEvent } from "../scenarios/run-scenario.js";
import { formatDuration } from "../verification/format-duration.js";
import type { CliIo } from "./io.js";

export const SIMULATE_USAGE = "remedy simulate FILE";

export const SIMULATE_HELP = `usage: ${SIMULATE_USAGE}

Plays one scenario file (format: the scenarios README; try examples/scenarios/) as a story: the
signal, the diagnosis and decision, the approval packet and diff, the merge, each verification
tick, the outcome and the revert packet; with format v2, each step and what Remedy did about it,
then Remedy's GitHub writes by step; then the audit ledger and whether the expectations hold.

Exit codes: 0 after the story, 2 when FILE cannot be read or is not a valid scenario.`;

/** `remedy simulate FILE`: plays one scenario and tells it as a story, step by step. */
export async function simulateCommand(args: string[], io: CliIo): Promise<number> {
  if (args.length !== 1 || (args[0] as string).startsWith("--")) {
    io.err(`usage: ${SIMULATE_USAGE}`);
    return 2;
  }
  const file = args[0] as string;
  let run;
  try {
    run = await runScenario(await loadScenario(file), file);
  } catch (error) {
    io.err(
      error instanceof InvalidFileError ? error.message : `remedy simulate: ${(error as Error).message}`,
    );
    return 2;
  }
  const heading = (text: string) => io.out(`\n━━ ${text} ${"━".repeat(Math.max(3, 72 - text.length))}`);
  io.out(`Scenario: ${run.scenario.name}  [${run.scenario.category}]  at ${run.scenario.now}`);
  const story = { inSteps: false };
  for (const event of run.events) tell(event, io, heading, story);
  if (run.writes.length > 0) {
    heading("Remedy's GitHub writes, by step");
    for (const write of run.writes)
      io.out(`  ${write.step === 0 ? "signal " : `step ${String(write.step).padEnd(3)}`} ${write.detail}`);
  }
  heading("Audit ledger");
  for (const entry of run.ledger)
    io.out(`  #${entry.seq} ${entry.at} ${entry.kind.padEnd(20)} ${entry.hash.slice(0, 23)}…`);
  const verdict = judgeScenario(run);
  heading("Expectations");
  io.out(verdict.passed ? "  All expectations hold." : verdict.failures.map((f) => `  ✗ ${f}`).join("\n"));
  return 0;
}

/**
 * One event of the story. The first response is told in numbered chapters (signal, decision, PR,
 * merge, verification, revert); once the scenario's steps begin, each step is its own chapter and
 * what Remedy did about it follows under it.
 */
function tell(
  event: StoryEvent,
  io: CliIo,
  heading: (text: string) => void,
  story: { inSteps: boolean },
): void {
  const chapter = (numbered: string, plain: string) => heading(story.inSteps ? plain : numbered);
  switch (event.kind) {
    case "step":
      story.inSteps = true;
      heading(`Step ${event.number} · ${event.at}`);
      io.out(`  ${event.text}`);
      return;
    case "write":
      io.out(`  Remedy: ${event.text}`);
      return;
    case "signal":
      if (story.inSteps) io.out(`  ${event.text}`);
      else {
        heading("1. Signal");
        io.out(`  ${event.text}`);
      }
      return;
    case "outcome":
      heading("2. Diagnosis and decision");
      tellOutcome(event, io);
      return;
    case "pr":
      chapter(`3. Pull request #${event.number}`, `Remedy opens pull request #${event.number}`);
      io.out(`  ${event.title}\n  files: ${event.files.join(", ")}\n`);
      io.out(indent(hidePlanBlock(event.body)));
      return;
    case "comment":
      heading(`Comment on #${event.on}`);
      io.out(indent(hidePlanBlock(event.body)));
      return;
    case "merge":
      chapter("4. A reviewer approves and merges", `#${event.number} is merged`);
      io.out(`  #${event.number} merged as ${event.sha.slice(0, 12)}; verification starts.`);
      return;
    case "tick":
    case "verdict":
      tellEvaluation(event, io, chapter);
      return;
    case "revert":
      chapter(`6. Revert pull request #${event.number}`, `Remedy opens revert pull request #${event.number}`);
      io.out(`  ${event.title}\n`);
      io.out(indent(hidePlanBlock(event.body)));
      return;
  }
}

type EventOf<K extends StoryEvent["kind"]> = Extract<StoryEvent, { kind: K }>;

/** The decision: the target, the diagnosis and its top candidates, each policy rule. */
function tellOutcome(event: EventOf<"outcome">, io: CliIo): void {
  const o = event.outcome;
  if (o === null) {
    io.out(`  Decision: none. ${event.note || "Remedy did not act (see the comments below)."}`);
    return;
  }
  if (o.resolution)
    io.out(
      `  Target: ${o.resolution.service ?? "?"} / ${o.resolution.environment ?? "?"}${o.resolution.ok ? "" : ` (${o.resolution.reason})`}`,
    );
  if (o.diagnosis) {
    io.out(`  ${o.diagnosis.explanation}`);
    for (const c of o.diagnosis.candidates.slice(0, 3))
      io.out(`    · ${c.id.padEnd(24)} ${String(c.score).padStart(3)}  ${c.reasons.join(", ")}`);
  }
  io.out(`  Decision: ${o.decision.toUpperCase()}. ${o.summary}`);
  if (o.policy)
    for (const r of o.policy.rules) io.out(`    ${r.result === "pass" ? "✓" : "✗"} ${r.rule}: ${r.detail}`);
}

/** One verification tick's line; a verdict then opens the outcome chapter. */
function tellEvaluation(
  event: EventOf<"tick" | "verdict">,
  io: CliIo,
  chapter: (numbered: string, plain: string) => void,
): void {
  const last = event.record.verdict.evaluations.at(-1);
  if (!last) return;
  const elapsed = (Date.parse(last.at) - Date.parse(event.record.verdict.mergedAt)) / 1000;
  const samples = last.samples.map((s) => `${s.name}=${s.value ?? "no data"}`).join(" ");
  io.out(
    `  +${formatDuration(elapsed).padEnd(6)} ${last.result.padEnd(8)} ${last.rollout ? `rollout=${last.rollout.state} ` : ""}${samples}${last.failing.length > 0 ? `  (${last.failing.join("; ")})` : ""}`,
  );
  if (event.kind === "verdict") {
    chapter(
      `5. Outcome: ${event.record.verdict.outcome?.toUpperCase() ?? "?"}`,
      `Verification of #${event.record.pr}: ${event.record.verdict.outcome?.toUpperCase() ?? "?"}`,
    );
    io.out(`  ${event.record.verdict.reason ?? ""}`);
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  │ ${line}`)
    .join("\n");
}

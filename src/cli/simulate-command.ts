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
tick, the outcome and the revert packet, then the audit ledger and whether the expectations hold.

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
  for (const event of run.events) tell(event, io, heading);
  heading("Audit ledger");
  for (const entry of run.ledger)
    io.out(`  #${entry.seq} ${entry.at} ${entry.kind.padEnd(20)} ${entry.hash.slice(0, 23)}…`);
  const verdict = judgeScenario(run);
  heading("Expectations");
  io.out(verdict.passed ? "  All expectations hold." : verdict.failures.map((f) => `  ✗ ${f}`).join("\n"));
  return 0;
}

function tell(event: StoryEvent, io: CliIo, heading: (text: string) => void): void {
  switch (event.kind) {
    case "signal":
      heading("1. Signal");
      io.out(`  ${event.text}`);
      return;
    case "outcome": {
      heading("2. Diagnosis and decision");
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
        for (const r of o.policy.rules)
          io.out(`    ${r.result === "pass" ? "✓" : "✗"} ${r.rule}: ${r.detail}`);
      return;
    }
    case "pr":
      heading(`3. Pull request #${event.number}`);
      io.out(`  ${event.title}\n  files: ${event.files.join(", ")}\n`);
      io.out(indent(hidePlanBlock(event.body)));
      return;
    case "comment":
      heading(`Comment on #${event.on}`);
      io.out(indent(hidePlanBlock(event.body)));
      return;
    case "merge":
      heading("4. A reviewer approves and merges");
      io.out(`  #${event.number} merged as ${event.sha.slice(0, 12)}; verification starts.`);
      return;
    case "tick":
    case "verdict": {
      const last = event.record.verdict.evaluations.at(-1);
      if (!last) return;
      const elapsed = (Date.parse(last.at) - Date.parse(event.record.verdict.mergedAt)) / 1000;
      const samples = last.samples.map((s) => `${s.name}=${s.value ?? "no data"}`).join(" ");
      io.out(
        `  +${formatDuration(elapsed).padEnd(6)} ${last.result.padEnd(8)} ${last.rollout ? `rollout=${last.rollout.state} ` : ""}${samples}${last.failing.length > 0 ? `  (${last.failing.join("; ")})` : ""}`,
      );
      if (event.kind === "verdict") {
        heading(`5. Outcome: ${event.record.verdict.outcome?.toUpperCase() ?? "?"}`);
        io.out(`  ${event.record.verdict.reason ?? ""}`);
      }
      return;
    }
    case "revert":
      heading(`6. Revert pull request #${event.number}`);
      io.out(`  ${event.title}\n`);
      io.out(indent(hidePlanBlock(event.body)));
      return;
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  │ ${line}`)
    .join("\n");
}

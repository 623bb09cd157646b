import { AUDIT_STATS_SYNOPSIS, auditStatsCommand } from "./audit-stats-command.js";
import { auditVerifyCommand } from "./audit-verify.js";
import { EVAL_USAGE, evalCommand } from "./eval-command.js";
import { processIo, type CliIo } from "./io.js";
import { PLAN_USAGE, planCommand } from "./plan-command.js";
import { SCHEMAS_USAGE, schemasCommand } from "./schemas-command.js";
import { SIMULATE_USAGE, simulateCommand } from "./simulate-command.js";

const HELP = `remedy — a GitOps pull-request bot for incidents

Usage:
  ${PLAN_USAGE}
      Offline dry run on a local checkout: decision, approval packet and diff. Writes nothing.
  ${EVAL_USAGE}
      Runs every scenario in DIR; one line each, then "N passed, N failed".
  ${SIMULATE_USAGE}
      Plays one scenario as a story: signal, diagnosis, packet, diff, merge, verification, outcome.
  remedy audit verify [--repo DIR] [--ref remedy-audit]
      Checks the hash-chained audit ledger of a local clone.
  ${AUDIT_STATS_SYNOPSIS}
      Review statistics per environment from the audit ledger of a local clone.
  ${SCHEMAS_USAGE}
      Writes JSON Schemas for .github/remedy.yml, runbooks, policies and scenarios.
  remedy serve
      Runs the GitHub App (same as npm start).
  remedy --help

Exit codes: 0 ok, 1 a check failed (eval, audit verify), 2 bad input or usage.`;

export async function main(args: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "plan":
      return planCommand(rest, io);
    case "eval":
      return evalCommand(rest, io);
    case "simulate":
      return simulateCommand(rest, io);
    case "schemas":
      return schemasCommand(rest, io);
    case "audit":
      if (rest[0] === "verify") return auditVerifyCommand(rest.slice(1), io);
      if (rest[0] === "stats") return auditStatsCommand(rest.slice(1), io);
      io.err(`usage: remedy audit verify [--repo DIR] [--ref remedy-audit]\n       ${AUDIT_STATS_SYNOPSIS}`);
      return 2;
    case "serve": {
      const { serve } = await import("../app/serve.js");
      return serve();
    }
    case undefined:
    case "--help":
    case "-h":
    case "help":
      io.out(HELP);
      return command === undefined ? 2 : 0;
    default:
      io.err(`remedy: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

import { readFileSync } from "node:fs";
import { AUDIT_STATS_SYNOPSIS, auditStatsCommand } from "./audit-stats-command.js";
import { auditVerifyCommand } from "./audit-verify.js";
import { EVAL_HELP, EVAL_USAGE, evalCommand } from "./eval-command.js";
import { INIT_HELP, INIT_USAGE, initCommand } from "./init-command.js";
import { processIo, type CliIo } from "./io.js";
import { PLAN_HELP, PLAN_USAGE, planCommand } from "./plan-command.js";
import { SCHEMAS_HELP, SCHEMAS_USAGE, schemasCommand } from "./schemas-command.js";
import { SIMULATE_HELP, SIMULATE_USAGE, simulateCommand } from "./simulate-command.js";

const SERVE_USAGE = "remedy serve";
const SERVE_HELP = `usage: ${SERVE_USAGE}

Runs Remedy, the GitHub App (the same as npm start). With APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH)
and WEBHOOK_SECRET set it serves GitHub webhooks at /api/github/webhooks and Alertmanager at
/alerts/{owner}/{repo}; without them it serves Probot's setup page on http://localhost:3000, which
registers the App from app.yml (the /alerts endpoint is off in that mode). Set WEBHOOK_PROXY_URL
(a https://smee.io channel) to receive GitHub's webhooks on a machine GitHub cannot reach.
Environment variables: see the README's "Install it as a GitHub App".`;

const AUDIT_HELP = `usage: remedy audit verify [--repo DIR] [--ref remedy-audit]
       ${AUDIT_STATS_SYNOPSIS}

Subcommands:
  verify   checks the hash-chained audit ledger of a local clone (remedy audit verify --help)
  stats    review statistics per environment from the ledger (remedy audit stats --help)`;

const HELP = `remedy — a GitOps pull-request bot for incidents

Usage:
  ${PLAN_USAGE}
      Offline dry run on a local checkout: decision, approval packet and diff. Writes nothing.
  ${EVAL_USAGE}
      Runs every scenario in DIR; one line each, then "N passed, N failed".
  ${SIMULATE_USAGE}
      Plays one scenario as a story: signal, diagnosis, packet, diff, merge, verification, outcome.
  ${INIT_USAGE}
      Writes a starter .github/remedy.yml, runbook and policy for a GitOps checkout (never overwrites).
  remedy audit verify [--repo DIR] [--ref remedy-audit]
      Checks the hash-chained audit ledger of a local clone.
  ${AUDIT_STATS_SYNOPSIS}
      Review statistics per environment from the audit ledger of a local clone.
  ${SCHEMAS_USAGE}
      Writes JSON Schemas for .github/remedy.yml, runbooks, policies and scenarios.
  ${SERVE_USAGE}
      Runs the GitHub App (same as npm start).
  remedy --help | remedy COMMAND --help
  remedy --version | remedy COMMAND --version

Exit codes: 0 ok, 1 a check failed (eval, audit verify), 2 bad input or usage.`;

/** Each subcommand's `--help` text, answered before the command parses anything (exit 0). */
const COMMAND_HELP: Record<string, string> = {
  plan: PLAN_HELP,
  eval: EVAL_HELP,
  simulate: SIMULATE_HELP,
  schemas: SCHEMAS_HELP,
  serve: SERVE_HELP,
  audit: AUDIT_HELP,
  init: INIT_HELP,
};

export async function main(args: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = args;
  const wantsHelp = rest.some((arg) => arg === "--help" || arg === "-h");
  // `remedy plan --version` answers like `remedy --version`: every command knows which Remedy it is.
  if (
    command !== undefined &&
    COMMAND_HELP[command] !== undefined &&
    !wantsHelp &&
    rest.includes("--version")
  ) {
    io.out(`remedy ${packageVersion()}`);
    return 0;
  }
  if (command === "audit" && rest[0] === "verify") {
    return auditVerifyCommand(rest.slice(1), io);
  }
  if (command === "audit" && rest[0] === "stats") {
    return auditStatsCommand(rest.slice(1), io);
  }
  if (command !== undefined && wantsHelp && COMMAND_HELP[command] !== undefined) {
    io.out(COMMAND_HELP[command]);
    return 0;
  }
  switch (command) {
    case "plan":
      return planCommand(rest, io);
    case "eval":
      return evalCommand(rest, io);
    case "simulate":
      return simulateCommand(rest, io);
    case "schemas":
      return schemasCommand(rest, io);
    case "init":
      return initCommand(rest, io);
    case "audit":
      if (rest[0] === "verify") return auditVerifyCommand(rest.slice(1), io);
      if (rest[0] === "stats") return auditStatsCommand(rest.slice(1), io);
      io.err(
        `remedy audit: ${rest[0] === undefined ? "which check?" : `unknown subcommand "${rest[0]}"`}\n\n${AUDIT_HELP}`,
      );
      return 2;
    case "serve": {
      if (rest.length > 0) {
        io.err(`remedy serve: unexpected argument "${rest[0]}"\n\n${SERVE_HELP}`);
        return 2;
      }
      const { serve } = await import("../app/serve.js");
      return serve();
    }
    case "--version":
    case "-v":
    case "version":
      io.out(`remedy ${packageVersion()}`);
      return 0;
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

/** The version in package.json, two folders up from both src/cli and dist/cli. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version?: string;
  };
  return pkg.version ?? "unknown";
}

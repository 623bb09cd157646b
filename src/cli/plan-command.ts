import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { InvalidFileError } from "../config/invalid-file-error.js";
import { parseYamlData, validateData } from "../config/parse-with-schema.js";
import { planIncident } from "../flows/plan-incident.js";
import { renderPacket } from "../proposal/approval-packet.js";
import { branchName } from "../proposal/plan.js";
import { loadRepository } from "../repo/load-repository.js";
import { localRepo } from "../adapters/fs/local-repo.js";
import { AlertPayload } from "../signals/alert-payload.js";
import { incidentFromAlert } from "../signals/incident-from-alert.js";
import { incidentFromIssue } from "../signals/incident-from-issue.js";
import { z } from "zod";
import { ROLES } from "../signals/role.js";
import { parseOptions, type CliIo } from "./io.js";
import { PROJECT_ROOT } from "../scenarios/run-scenario.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { EvidenceSource } from "../flows/plan-incident.js";
import type { Outcome } from "../proposal/outcome.js";
import type { Incident } from "../signals/incident.js";
import { evidenceFromConfig } from "../adapters/health-from-config.js";

export const PLAN_USAGE = "remedy plan --repo DIR --signal FILE [--now ISO] [--prometheus URL]";

export const PLAN_HELP = `usage: ${PLAN_USAGE}

Runs the whole decision offline on a local checkout DIR (default: this project's example
repository): signal, diagnosis, plan, policy. Prints the decision, the approval packet (Markdown)
and the unified diff. Writes nothing.

  --repo DIR         the GitOps checkout holding .github/remedy.yml, runbooks and policies
  --signal FILE      an Alertmanager webhook payload (JSON), or an issue as {title, body} (JSON or
                     YAML); an issue may say author_permission: admin | maintain | write | triage |
                     read | none (default write: the issue is treated as written by a writer)
  --now ISO          the clock for freeze windows and rate limits (default: now)
  --prometheus URL   run the runbook's evidence queries against this Prometheus (default: not
                     queried, even when .github/remedy.yml names one)

Exit codes: 0 on any decision, 2 on bad input.`;

const IssueFile = z.strictObject({
  title: z.string().min(1),
  body: z.string().default(""),
  number: z.number().int().positive().optional(),
  author: z.string().default("cli-user"),
  author_permission: z.enum(ROLES as [string, ...string[]]).default("write"),
});

/**
 * `remedy plan`: the whole decision offline on a local checkout. Prints the decision, the approval
 * packet and the diff; writes nothing. Exit 0 on any decision, 2 on bad input.
 */
export async function planCommand(args: string[], io: CliIo): Promise<number> {
  const options = await readPlanOptions(args, io);
  if (typeof options === "number") return options;
  const { dir, now, prometheus, signalFile } = options;
  // One name for every checkout, so the same signal plans to the same branch on every machine
  // (the incident key, and so the branch, hashes the repository's name).
  const repo = "local/checkout";
  try {
    const { incident, assumedWriter } = await readSignal(signalFile, repo);
    const reader = localRepo(dir);
    const repository = await loadRepository(reader);
    const evidence = evidenceSource(repository.config, prometheus);
    const outcome = await planIncident({
      repo,
      repository,
      reader,
      history: reader,
      baseSha: null,
      incident,
      now,
      recentPrs: [],
      ...(evidence === undefined ? {} : { evidence }),
    });
    if (assumedWriter)
      io.out(
        `Note: ${signalFile} has no author_permission, so the issue is treated as written by someone with write permission (values it names count). Add author_permission: read to see what Remedy does for a reader.`,
      );
    printOutcome(io, outcome);
    return 0;
  } catch (error) {
    if (error instanceof InvalidFileError) {
      io.err(`remedy plan: invalid input\n${error.message}`);
      return 2;
    }
    throw error;
  }
}

interface PlanOptions {
  dir: string;
  now: string;
  prometheus: string | null;
  signalFile: string;
}

/** The command line checked; on bad input the usage or reason is printed and the exit code returned. */
async function readPlanOptions(args: string[], io: CliIo): Promise<PlanOptions | number> {
  const parsed = parseOptions(args, {
    repo: "value",
    signal: "value",
    now: "value",
    prometheus: "value",
  });
  if ("error" in parsed || typeof parsed.options.signal !== "string" || parsed.positional.length > 0) {
    io.err(
      `usage: ${PLAN_USAGE}${"error" in parsed ? ` (${parsed.error})` : typeof (parsed as { options: Record<string, unknown> }).options.signal !== "string" ? " (--signal FILE is required)" : ""}`,
    );
    return 2;
  }
  const dir = resolve(typeof parsed.options.repo === "string" ? parsed.options.repo : PROJECT_ROOT);
  const now = typeof parsed.options.now === "string" ? parsed.options.now : new Date().toISOString();
  if (Number.isNaN(Date.parse(now))) {
    io.err(`remedy plan: --now must be an ISO-8601 time like 2026-11-21T10:00:00Z (got "${now}")`);
    return 2;
  }
  const isDirectory = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDirectory) {
    io.err(`remedy plan: --repo ${String(parsed.options.repo ?? dir)}: the directory does not exist`);
    return 2;
  }
  const prometheus = typeof parsed.options.prometheus === "string" ? parsed.options.prometheus : null;
  if (prometheus !== null && !/^https?:\/\/[^\s/]+/.test(prometheus)) {
    io.err(
      `remedy plan: --prometheus must be an http(s) URL like http://127.0.0.1:9090 (got "${prometheus}")`,
    );
    return 2;
  }
  return { dir, now, prometheus, signalFile: parsed.options.signal };
}

/**
 * The signal file as an incident: an Alertmanager payload, or an issue. An issue that names no
 * author_permission is read as a writer's (`assumedWriter`), which the command says.
 */
async function readSignal(
  signalFile: string,
  repo: string,
): Promise<{ incident: Incident; assumedWriter: boolean }> {
  const text = await readFile(signalFile, "utf8").catch((error: Error) => {
    throw new InvalidFileError([{ file: signalFile, path: "", message: `cannot be read: ${error.message}` }]);
  });
  const data = parseYamlData(signalFile, text);
  const isObject = typeof data === "object" && data !== null;
  if (isObject && ("alerts" in data || "groupKey" in data || "version" in data))
    return {
      incident: incidentFromAlert(repo, validateData(signalFile, data, AlertPayload, text)),
      assumedWriter: false,
    };
  const issue = validateData(signalFile, data, IssueFile, text);
  const incident = incidentFromIssue(repo, {
    number: issue.number ?? null,
    title: issue.title,
    body: issue.body,
    author: issue.author,
    role: issue.author_permission as never,
  });
  return { incident, assumedWriter: isObject && !("author_permission" in data) };
}

function printOutcome(io: CliIo, outcome: Outcome): void {
  io.out(`Decision: ${outcome.decision}`);
  io.out(outcome.summary);
  if (outcome.plan) io.out(`Branch: ${branchName(outcome.plan)}`);
  io.out("\n----- approval packet -----\n");
  io.out(renderPacket(outcome));
  if (outcome.edit) {
    io.out("\n----- diff -----\n");
    io.out(outcome.edit.diff);
  }
}

/**
 * Offline, the configured Prometheus is named but not queried; `--prometheus URL` queries that one
 * instead (the config's token_env and timeout still apply).
 */
function evidenceSource(config: RepoConfig, prometheus: string | null): EvidenceSource | undefined {
  if (prometheus !== null) {
    const setting = config.health.prometheus;
    const health = {
      ...config.health,
      prometheus: typeof setting === "object" ? { ...setting, url: prometheus } : prometheus,
    };
    return evidenceFromConfig({ ...config, health }, process.env);
  }
  const configured = config.health.prometheus;
  if (configured === undefined) return undefined;
  const url = typeof configured === "string" ? configured : configured.url;
  const note = `Prometheus configured at ${url} but not queried offline (use --prometheus URL to query it)`;
  return () => Promise.resolve({ value: null, reason: note, note });
}

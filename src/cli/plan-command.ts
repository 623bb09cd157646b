import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { InvalidFileError } from "../config/invalid-file-error.js";
import { parseYamlData, validateData } from "../config/parse-with-schema.js";
import { planIncident } from "../flows/plan-incident.js";
import { renderPacket } from "../proposal/approval-packet.js";
import { branchName } from "../proposal/plan.js";
import { loadRepository } from "../repo/load-repository.js";
import { localRepo } from "../repo/local-repo.js";
import { AlertPayload } from "../signals/alert-payload.js";
import { incidentFromAlert } from "../signals/incident-from-alert.js";
import { incidentFromIssue } from "../signals/incident-from-issue.js";
import { z } from "zod";
import { ROLES } from "../signals/role.js";
import { parseOptions, type CliIo } from "./io.js";
import { PROJECT_ROOT } from "../scenarios/run-scenario.js";

export const PLAN_USAGE = "remedy plan --repo DIR --signal FILE [--now ISO]";

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
  const parsed = parseOptions(args, { repo: "value", signal: "value", now: "value" });
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
  const repo = `local/${dir.split("/").filter(Boolean).at(-1) ?? "repo"}`;
  try {
    const signalFile = parsed.options.signal;
    const text = await readFile(signalFile, "utf8").catch((error: Error) => {
      throw new InvalidFileError([
        { file: signalFile, path: "", message: `cannot be read: ${error.message}` },
      ]);
    });
    const data = parseYamlData(signalFile, text);
    const incident =
      typeof data === "object" &&
      data !== null &&
      ("alerts" in data || "groupKey" in data || "version" in data)
        ? incidentFromAlert(repo, validateData(signalFile, data, AlertPayload, text))
        : (() => {
            const issue = validateData(signalFile, data, IssueFile, text);
            return incidentFromIssue(repo, {
              number: issue.number ?? null,
              title: issue.title,
              body: issue.body,
              author: issue.author,
              role: issue.author_permission as never,
            });
          })();
    const reader = localRepo(dir);
    const repository = await loadRepository(reader);
    const outcome = await planIncident({
      repo,
      repository,
      reader,
      history: reader,
      baseSha: null,
      incident,
      now,
      recentPrs: [],
    });
    io.out(`Decision: ${outcome.decision}`);
    io.out(outcome.summary);
    if (outcome.plan) io.out(`Branch: ${branchName(outcome.plan)}`);
    io.out("\n----- approval packet -----\n");
    io.out(renderPacket(outcome));
    if (outcome.edit) {
      io.out("\n----- diff -----\n");
      io.out(outcome.edit.diff);
    }
    return 0;
  } catch (error) {
    if (error instanceof InvalidFileError) {
      io.err(`remedy plan: invalid input\n${error.message}`);
      return 2;
    }
    throw error;
  }
}

import {
  auditStats,
  CEREMONY_MIN_PRS,
  type AuditStats,
  type EnvironmentStats,
} from "../audit/audit-stats.js";
import { parseLedger } from "../audit/parse-ledger.js";
import { gitRunnerIn } from "../adapters/git/run-git.js";
import { readLocalLedger } from "../audit/read-local-ledger.js";
import { verifyChain } from "../audit/verify-chain.js";
import { formatDuration } from "../verification/format-duration.js";
import { parseOptions, type CliIo } from "./io.js";

export const AUDIT_STATS_SYNOPSIS =
  "remedy audit stats [--repo DIR] [--ref remedy-audit] [--since ISO] [--json]";

export const AUDIT_STATS_USAGE = `usage: ${AUDIT_STATS_SYNOPSIS}

Review statistics from the audit ledger (ledger.jsonl on REF, default remedy-audit, else
origin/REF) of the local clone DIR (default: the current directory), per environment: PRs opened,
merged, closed unmerged (rejection rate), modified before merge (modification rate), reverted, and
approval latency p50/p90 (PR opened to first approving review). Warns "review looks ceremonial" when,
over at least ${CEREMONY_MIN_PRS} PRs, approval p50 < 10s, rejection < 1% and nothing was modified.
--since counts only PRs opened at or after ISO; --json prints JSON. Rates are over PRs opened.
Exit 0 with the statistics, 1 when the ledger does not verify, 2 on bad usage or no readable ledger.`;

/** `remedy audit stats`; `args` are the words after `audit stats`. */
export async function auditStatsCommand(args: string[], io: CliIo): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.out(AUDIT_STATS_USAGE);
    return 0;
  }
  const parsed = parseOptions(args, { repo: "value", ref: "value", since: "value", json: "flag" });
  if ("error" in parsed || parsed.positional.length > 0) {
    const problem =
      "error" in parsed ? parsed.error : `unexpected argument ${JSON.stringify(parsed.positional[0])}`;
    io.err(`remedy audit stats: ${problem}\n\n${AUDIT_STATS_USAGE}`);
    return 2;
  }
  const { options } = parsed;
  const since = typeof options.since === "string" ? options.since : undefined;
  if (since !== undefined && (!/^\d{4}-\d{2}-\d{2}/.test(since) || Number.isNaN(Date.parse(since)))) {
    io.err(`remedy audit stats: --since ${JSON.stringify(since)} is not an ISO-8601 time`);
    return 2;
  }
  const repo = typeof options.repo === "string" ? options.repo : process.cwd();
  const read = await readLocalLedger({
    repo,
    ref: typeof options.ref === "string" ? options.ref : "remedy-audit",
    git: gitRunnerIn(repo),
  });
  if (read.status !== "ok") {
    io.err(`remedy audit stats: ${read.message}`);
    return 2;
  }
  // Statistics of a tampered ledger would be figures about nothing: it has to verify first.
  const chain = verifyChain(read.text);
  if (!chain.ok) {
    const where = chain.seq === null ? `line ${chain.line}` : `seq ${chain.seq}`;
    io.err(
      `remedy audit stats: the ledger does not verify at ${where}: ${chain.reason}; run remedy audit verify`,
    );
    return 1;
  }
  const stats = auditStats(parseLedger(read.text).entries, since === undefined ? {} : { since });
  const ledger = { ref: read.ref, commit: read.commit, head: chain.head };
  io.out(
    options.json === true ? JSON.stringify(statsJson(stats, ledger), null, 2) : statsText(stats, ledger),
  );
  return 0;
}

interface LedgerAt {
  ref: string;
  commit: string;
  head: string;
}

function statsJson(stats: AuditStats, ledger: LedgerAt): unknown {
  return {
    ledger: { ...ledger, entries: stats.entries },
    since: stats.since,
    environments: stats.environments.map((env) => ({
      environment: env.environment,
      opened: env.opened,
      merged: env.merged,
      closed_unmerged: env.closedUnmerged,
      rejection_rate: env.rejectionRate,
      modified_before_merge: env.modifiedBeforeMerge,
      modification_rate: env.modificationRate,
      reverted: env.reverted,
      approval_latency_seconds: env.approvalLatency,
      warnings: env.warnings,
    })),
  };
}

function statsText(stats: AuditStats, ledger: LedgerAt): string {
  const scope = stats.since === null ? "all PRs" : `PRs opened since ${stats.since}`;
  const lines = [`audit ledger ${ledger.ref}: ${stats.entries} entries, head ${ledger.head}; ${scope}`];
  if (stats.environments.length === 0) lines.push("", "no Remedy PRs in the ledger");
  for (const env of stats.environments) lines.push("", ...environmentLines(env));
  const warnings = stats.environments.flatMap((env) =>
    env.warnings.map((w) => `warning: ${env.environment}: ${w} (${ceremonyFigures(env)})`),
  );
  if (warnings.length > 0) lines.push("", ...warnings);
  return lines.join("\n");
}

function environmentLines(env: EnvironmentStats): string[] {
  const { count, p50, p90 } = env.approvalLatency;
  const row = (label: string, value: number, note = "") =>
    `  ${label.padEnd(22)}${String(value).padStart(5)}${note === "" ? "" : `   ${note}`}`;
  return [
    env.environment,
    row("PRs opened", env.opened),
    row("merged", env.merged),
    row("closed unmerged", env.closedUnmerged, `rejection rate ${percent(env.rejectionRate)}`),
    row(
      "modified before merge",
      env.modifiedBeforeMerge,
      `modification rate ${percent(env.modificationRate)}`,
    ),
    row("reverted", env.reverted),
    `  ${"approval latency".padEnd(22)}${
      count === 0 ? "no approvals" : `p50 ${seconds(p50)}, p90 ${seconds(p90)} (${count} approved)`
    }`,
  ];
}

function ceremonyFigures(env: EnvironmentStats): string {
  return `${env.opened} PRs, approval p50 ${seconds(env.approvalLatency.p50)}, rejection ${percent(env.rejectionRate)}, ${env.modifiedBeforeMerge} modified`;
}

function percent(rate: number | null): string {
  return rate === null ? "n/a" : `${(rate * 100).toFixed(1)}%`;
}

function seconds(value: number | null): string {
  return value === null ? "n/a" : formatDuration(Math.round(value));
}

import type { VerificationRecord } from "../store/store.js";
import { applyObservation } from "../verification/apply-observation.js";
import { baselinesToRead } from "../verification/baseline.js";
import { nextEvaluationAt } from "../verification/next-evaluation-at.js";
import { observe } from "../verification/observe.js";
import { renderQuery } from "../verification/render-query.js";
import { summarizeVerdict, type VerdictSummary } from "../verification/summarize-verdict.js";
import { verifyProgress } from "../verification/verify-progress.js";
import { loadConfig } from "../repo/load-repository.js";
import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { openRevert, type RevertResult } from "./open-revert.js";
import { repoAt } from "./repo-at.js";
import type { RepoConfig } from "../config/repo-config.js";
import { pauseOf, type Pause } from "./pause-of.js";
import { noRevertReason } from "../proposal/no-revert-reason.js";
import { verdictText } from "../verification/verdict-text.js";

import { tripBreakerIfDue } from "./trip-breaker.js";
import { notify } from "./notify.js";
import { refreshTimeline } from "./refresh-timeline.js";

export type TickResult = { record: VerificationRecord; done: boolean; revert: RevertResult | null };

/** One evaluation: observe the checks at the scheduled time, apply the verdict, report, finish. */
export async function verificationTick(deps: FlowDeps, record: VerificationRecord): Promise<TickResult> {
  const at = nextEvaluationAt(record.verdict);
  if (at === null) return { record, done: true, revert: null };
  const { plan } = record;
  const config = await loadConfig(repoAt(deps.forge, record.mergeSha)).catch(() => null);
  const vars = {
    service: plan.service,
    environment: plan.environment,
    workload: plan.target.workload,
    ...(plan.target.namespace === undefined ? {} : { namespace: plan.target.namespace }),
  };
  const spec = {
    ...plan.verify,
    checks: plan.verify.checks.map((c) =>
      c.query === undefined ? c : { ...c, query: renderQuery(c.query, vars) },
    ),
  };
  const observation = await observe(
    spec,
    { ...vars, mergeSha: record.mergeSha, at },
    healthSources(deps, config, record),
    { checks: baselinesToRead(record.verdict), at: record.verdict.mergedAt },
  );
  const verdict = applyObservation(record.verdict, observation);
  const next: VerificationRecord = { ...record, verdict };
  const summary = summarizeVerdict(
    verdict,
    Object.keys(record.before).length > 0 ? record.before : undefined,
  );
  if (verdict.outcome === null) {
    await deps.store.saveVerification(next);
    await reportProgress(deps, next, summary);
    return { record: next, done: false, revert: null };
  }
  const revert = await finishVerification(deps, next, summary, config);
  // After the revert: the failure that trips the breaker still gets its revert (SPEC §3.2).
  await notifyVerdict(deps, config, next, revert);
  await deps.store.deleteVerification(record.id);
  await refreshTimeline(deps, plan.incident, { config });
  return { record: next, done: true, revert };
}

/** Where the checks are read: the configured sources, or a no-data reading when the config is unreadable. */
function healthSources(
  deps: FlowDeps,
  config: RepoConfig | null,
  record: VerificationRecord,
): ReturnType<FlowDeps["health"]> {
  if (config !== null) return deps.health(config, record.plan);
  return {
    health: {
      sample: async (c: { name: string }) => ({
        name: c.name,
        value: null,
        reason: ".github/remedy.yml unreadable at the merge commit",
      }),
    },
  };
}

/** The check run of a verification still in progress: how far it is in its title, the charts below. */
async function reportProgress(
  deps: FlowDeps,
  record: VerificationRecord,
  summary: VerdictSummary,
): Promise<void> {
  if (record.checkRunId === null) return;
  await deps.forge.updateCheckRun(record.checkRunId, {
    status: "in_progress",
    title: `Verifying: ${verifyProgress(record.verdict)}`,
    summary: verdictSummaryText(summary, verifyProgress(record.verdict)),
    text: verdictText(record.verdict, { id: record.id, mergeSha: record.mergeSha }),
  });
}

/** Summary, progress, charts and table in the order a reviewer reads them, within GitHub's cap. */
export function verdictSummaryText(summary: VerdictSummary, progress: string | null = null): string {
  const parts = [
    summary.text,
    progress === null ? "" : `Progress: ${progress}.`,
    summary.charts,
    summary.table,
  ];
  const text = parts.filter((part) => part !== "").join("\n\n");
  return text.length <= MAX_CHECK_SUMMARY
    ? text
    : [summary.text, "(charts left out to fit GitHub's size limit)", summary.table]
        .join("\n\n")
        .slice(0, MAX_CHECK_SUMMARY);
}

/** GitHub caps a check run's summary at 65,535 characters. */
const MAX_CHECK_SUMMARY = 65_000;

/** A failed or inconclusive verdict goes to the `notify:` channels; a failure may trip the breaker. */
async function notifyVerdict(
  deps: FlowDeps,
  config: RepoConfig | null,
  record: VerificationRecord,
  revert: RevertResult | null,
): Promise<void> {
  const { plan, verdict } = record;
  const prUrl = `https://github.com/${deps.forge.repo}/pull/${record.pr}`;
  const about = { url: prUrl, incident: plan.incident, pr: record.pr, mentions: plan.reviewers };
  if (verdict.outcome === "inconclusive") {
    await notify(deps, config, {
      event: "escalation",
      title: `Verification of #${record.pr} is inconclusive (${plan.service} in ${plan.environment})`,
      text: `${verdict.reason ?? "no data"}. A person must check the workload.`,
      ...about,
    });
    return;
  }
  if (verdict.outcome !== "fail") return;
  await notify(deps, config, {
    event: "verification_failed",
    title: `Verification of #${record.pr} failed (${plan.service} in ${plan.environment})`,
    text: `${verdict.reason ?? "checks failed"}. ${revert !== null && revert.status !== "conflict" ? `Revert PR: ${revert.pr.url}` : "No revert PR was opened: a person must decide."}`,
    ...about,
  });
  const issue = await tripBreakerIfDue(deps, plan, record.pr).catch((error: unknown) => {
    deps.log.error({ pr: record.pr, err: error }, "could not evaluate the circuit breaker");
    return null;
  });
  if (issue !== null)
    await notify(deps, config, {
      event: "breaker_tripped",
      title: "Remedy paused itself: too many failed verifications",
      text: `The circuit breaker paused Remedy in ${deps.forge.repo} after #${record.pr} failed. A writer comments /resume on #${issue} to lift it.`,
      ...about,
      url: `https://github.com/${deps.forge.repo}/issues/${issue}`,
    });
}

const VERDICT_TITLES = {
  pass: "Verified: healthy",
  fail: "Verification failed",
  inconclusive: "Verification inconclusive",
} as const;

async function finishVerification(
  deps: FlowDeps,
  record: VerificationRecord,
  summary: VerdictSummary,
  config: RepoConfig | null = null,
): Promise<RevertResult | null> {
  const { plan, verdict } = record;
  const outcome = verdict.outcome ?? "inconclusive";
  // Checked before the verdict is reported: a pause decides between revert and escalation.
  const original = outcome === "fail" ? await deps.forge.getPullRequest(record.pr) : null;
  const pause: Pause | null =
    outcome === "inconclusive"
      ? null
      : await pauseOf(deps, {
          config,
          incident: plan.incident,
          pr: record.pr,
          ...(original === null ? {} : { labels: original.labels }),
        });
  await recordVerdict(deps, record, summary);
  if (outcome === "pass") {
    await closeVerified(deps, record, summary, pause);
    return null;
  }
  const noRevert = outcome === "fail" ? noRevertReason(plan, original?.labels ?? []) : null;
  if (outcome === "inconclusive" || plan.reverts !== undefined || pause !== null || noRevert !== null) {
    await escalateVerdict(deps, record, summary, { pause, noRevert });
    return null;
  }
  if (original === null) return null;
  const failing = verdict.evaluations
    .filter((e) => e.result === "failing")
    .slice(-plan.verify.failureThreshold)
    .flatMap((e) => e.failing.map((f) => `- ${e.at}: ${f}`));
  return openRevert(deps, {
    original,
    plan,
    reason: `Verification failed: ${verdict.reason ?? "checks failed"}.`,
    figures: `**Failing evaluations**\n${failing.join("\n") || "- (none recorded)"}\n\n${summary.charts === "" ? "" : `${summary.charts}\n\n`}${summary.table}`,
    actor: "remedy",
  });
}

/** The verdict on the check run (completed) and in the ledger. */
async function recordVerdict(
  deps: FlowDeps,
  record: VerificationRecord,
  summary: VerdictSummary,
): Promise<void> {
  const { plan, verdict } = record;
  const outcome = verdict.outcome ?? "inconclusive";
  if (record.checkRunId !== null)
    await deps.forge.updateCheckRun(record.checkRunId, {
      status: "completed",
      conclusion: outcome === "pass" ? "success" : outcome === "fail" ? "failure" : "neutral",
      title: VERDICT_TITLES[outcome],
      summary: verdictSummaryText(summary),
    });
  await auditSteps(deps, [
    {
      kind:
        outcome === "pass" ? "verify.passed" : outcome === "fail" ? "verify.failed" : "verify.inconclusive",
      incident: plan.incident,
      pr: record.pr,
      sha: record.mergeSha,
      actor: "remedy",
      data: { reason: verdict.reason, evaluations: verdict.evaluations.length },
    },
  ]);
}

/** A pass: the PR hears it with the charts; the incident is closed with its decision record unless paused. */
async function closeVerified(
  deps: FlowDeps,
  record: VerificationRecord,
  summary: VerdictSummary,
  pause: Pause | null,
): Promise<void> {
  const { plan } = record;
  const { forge } = deps;
  await forge.comment(
    record.pr,
    `### ✅ Verified\n${summary.text}\n\n${summary.charts === "" ? "" : `${summary.charts}\n\n`}<details><summary>Evaluations</summary>\n\n${summary.table}\n\n</details>`,
  );
  if (plan.incident === null) return;
  if (pause !== null) {
    await forge.comment(
      plan.incident,
      `### Verified healthy\n#${record.pr} verified healthy. Remedy is paused (${pause.reason}), so it leaves this incident open for a person to close.\n\n${summary.text}`,
    );
    return;
  }
  await forge.comment(
    plan.incident,
    `### Incident closed by Remedy\n**Decision record**: ${plan.action} of ${plan.service} in ${plan.environment}, ${plan.field} ${plan.before} → ${plan.after} (runbook ${plan.runbook}), merged in #${record.pr} as ${record.mergeSha.slice(0, 12)}, verified healthy.\n\n${summary.text}`,
  );
  await forge.closeIssue(plan.incident);
  await auditSteps(deps, [
    {
      kind: "incident.closed",
      incident: plan.incident,
      pr: record.pr,
      sha: record.mergeSha,
      actor: "remedy",
      data: { outcome: "pass" },
    },
  ]);
}

/** No revert: an inconclusive verdict, a failed revert, a pause or an irreversible change is a person's. */
async function escalateVerdict(
  deps: FlowDeps,
  record: VerificationRecord,
  summary: VerdictSummary,
  why: { pause: Pause | null; noRevert: string | null },
): Promise<void> {
  const { plan, verdict } = record;
  const { pause, noRevert } = why;
  // A failed revert is not reverted again: two bots undoing each other would be worse than a page.
  const owners = plan.reviewers.join(" ");
  const text =
    verdict.outcome === "inconclusive"
      ? "Verification was inconclusive: Remedy could not tell whether the change is healthy, and no data is never a pass."
      : plan.reverts !== undefined
        ? "Verification of this revert failed; Remedy does not revert a revert."
        : noRevert !== null
          ? `Verification failed and Remedy did not open a revert PR: ${noRevert}. A person must decide what to do next.`
          : `Verification failed while Remedy is paused (${pause?.reason ?? "paused"}), so it did not open a revert PR. To resume, ${pause?.resume ?? "comment /resume"}; then \`/rollback\` opens the revert.`;
  for (const target of [record.pr, plan.incident].filter((n): n is number => n !== null))
    await deps.forge.addLabels(target, ["needs-human"]);
  const title = VERDICT_TITLES[verdict.outcome ?? "inconclusive"];
  await deps.forge.comment(
    record.pr,
    `### ⚠️ ${title}\n${text}\n\n${summary.text}\n\n${summary.charts === "" ? "" : `${summary.charts}\n\n`}${owners ? `${owners}: please look at the workload and decide.` : ""}`,
  );
}

import { onAlert } from "../flows/on-alert.js";
import { onBasePush } from "../flows/on-base-push.js";
import { onComment } from "../flows/on-comment.js";
import { onIncidentIssue } from "../flows/on-issue.js";
import { onIssueClosed } from "../flows/on-issue-closed.js";
import { onLabel } from "../flows/on-label.js";
import { onPullRequestClosed } from "../flows/on-pull-request-closed.js";
import { onPullRequestHead } from "../flows/on-pull-request-head.js";
import { onReview } from "../flows/on-review.js";
import { onboardRepository } from "../flows/onboard-repository.js";
import { recheckPolicy } from "../flows/recheck-policy.js";
import { startVerification } from "../flows/start-verification.js";
import type { Logger as PinoLogger } from "probot";
import type { FlowDeps } from "../flows/deps.js";
import type { VerificationRecord } from "../store/store.js";
import type { RemedyMetrics } from "./remedy-metrics.js";
import type { Work, WorkItem } from "./work-item.js";

/** What running a work item needs of the runtime; RemedyRuntime has it, and neither imports the other. */
export interface WorkRuntime {
  readonly log: PinoLogger;
  readonly metrics: RemedyMetrics;
  depsForInstallation(
    installationId: number,
    owner: string,
    repo: string,
    log: PinoLogger,
  ): Promise<FlowDeps>;
  track(record: VerificationRecord): void;
}

/** Runs one accepted item through its flow with the installation's own credentials. */
export async function runWorkItem(runtime: WorkRuntime, item: WorkItem): Promise<void> {
  const log = runtime.log.child({
    delivery: item.delivery,
    repo: `${item.owner}/${item.repo}`,
    work: item.work.kind,
  });
  const deps = await runtime.depsForInstallation(item.installationId, item.owner, item.repo, log);
  await runWork({ runtime, item, deps, log }, item.work);
}

/** One item on its way through its flow: the installation's deps and the item's own logger. */
interface WorkRun {
  readonly runtime: WorkRuntime;
  readonly item: WorkItem;
  readonly deps: FlowDeps;
  readonly log: PinoLogger;
}

type WorkOf<K extends Work["kind"]> = Extract<Work, { kind: K }>;

/** Each kind of work to its flow; the flow's answer goes to the log (and the metrics, for incidents). */
async function runWork(run: WorkRun, work: Work): Promise<void> {
  switch (work.kind) {
    case "alert":
      return runAlert(run, work);
    case "issue":
      return runIncidentIssue(run, work);
    case "comment":
      return runComment(run, work);
    case "merged":
      return runMerged(run, work);
    case "closed":
      return runClosed(run, work);
    case "issue-closed":
      return runIssueClosed(run, work);
    case "review":
      return runReview(run, work);
    case "label":
      return runLabel(run, work);
    case "head":
      return runHead(run, work);
    case "base-push":
      return runBasePush(run, work);
    case "onboard":
      return runOnboard(run);
    case "recheck":
      return runRecheck(run, work);
  }
}

async function runAlert({ runtime, item, deps, log }: WorkRun, work: WorkOf<"alert">): Promise<void> {
  const result = await onAlert(deps, work.payload);
  runtime.metrics.incident(result, item.receivedAt);
  log.info(
    {
      incident: result.issue,
      groupKey: work.payload.groupKey,
      decision: result.outcome?.decision ?? null,
      proposal: result.proposal?.status ?? null,
    },
    "alert handled",
  );
}

async function runIncidentIssue({ runtime, deps, log }: WorkRun, work: WorkOf<"issue">): Promise<void> {
  const result = await onIncidentIssue(deps, work.issue);
  runtime.metrics.incident(result ?? null);
  log.info(
    {
      incident: work.issue.number,
      decision: result?.outcome?.decision ?? null,
      proposal: result?.proposal?.status ?? null,
    },
    "incident issue handled",
  );
}

async function runComment({ runtime, deps, log }: WorkRun, work: WorkOf<"comment">): Promise<void> {
  const result = await onComment(deps, work.comment);
  if (result.handled) runtime.metrics.incident(result.result);
  log.info(
    {
      incident: work.comment.isPullRequest ? null : work.comment.number,
      pr: work.comment.isPullRequest ? work.comment.number : null,
      handled: result.handled,
      ...(result.handled ? { command: result.command } : { why: result.why }),
    },
    "comment handled",
  );
}

async function runMerged({ runtime, item, deps, log }: WorkRun, work: WorkOf<"merged">): Promise<void> {
  const record = await startVerification(deps, work.pr, item.installationId);
  if (record === null) return;
  runtime.track(record);
  log.info(
    { pr: work.pr.number, incident: record.incident, mergeSha: work.pr.mergeSha },
    "verification started",
  );
}

async function runClosed({ deps, log }: WorkRun, work: WorkOf<"closed">): Promise<void> {
  const entry = await onPullRequestClosed(deps, work.pr);
  log.info({ pr: work.pr.number, recorded: entry !== null }, "PR closed without merge");
}

async function runIssueClosed({ deps, log }: WorkRun, work: WorkOf<"issue-closed">): Promise<void> {
  const stale = await onIssueClosed(deps, work.issue);
  log.info({ incident: work.issue, stale }, "incident issue closed");
}

async function runReview({ deps, log }: WorkRun, work: WorkOf<"review">): Promise<void> {
  const entry = await onReview(deps, work.review);
  log.info(
    {
      pr: work.review.pr.number,
      review: work.review.reviewId,
      state: work.review.state,
      audited: entry !== null,
    },
    "review handled",
  );
}

async function runLabel({ deps, log }: WorkRun, work: WorkOf<"label">): Promise<void> {
  const result = await onLabel(deps, work.label);
  log.info(
    { [work.label.on === "pr" ? "pr" : "incident"]: work.label.number, label: work.label.label, result },
    "label handled",
  );
}

async function runHead({ deps, log }: WorkRun, work: WorkOf<"head">): Promise<void> {
  const result = await onPullRequestHead(deps, work);
  log.info(
    { pr: work.pr, headSha: work.headSha, action: work.action, result: result.status },
    "PR head re-checked",
  );
}

async function runBasePush({ deps, log }: WorkRun, work: WorkOf<"base-push">): Promise<void> {
  const outcomes = await onBasePush(deps, work);
  log.info(
    {
      branch: work.branch,
      pusher: work.pusher,
      prs: outcomes?.map((o) => `#${o.pr} ${o.status}`) ?? null,
    },
    "base push followed",
  );
}

async function runOnboard({ deps, log }: WorkRun): Promise<void> {
  log.info({ result: await onboardRepository(deps) }, "onboarding handled");
}

async function runRecheck({ deps, log }: WorkRun, work: WorkOf<"recheck">): Promise<void> {
  const result = await recheckPolicy(deps, work.pr, work.headSha);
  log.info({ pr: work.pr, headSha: work.headSha, result }, "policy check re-run");
}

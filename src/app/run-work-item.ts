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
import { startVerification } from "../flows/verify-merged.js";
import type { Logger as PinoLogger } from "probot";
import type { FlowDeps } from "../flows/deps.js";
import type { VerificationRecord } from "../store/store.js";
import type { RemedyMetrics } from "./remedy-metrics.js";
import type { WorkItem } from "./work-item.js";

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
  const { work } = item;
  switch (work.kind) {
    case "alert": {
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
      return;
    }
    case "issue": {
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
      return;
    }
    case "comment": {
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
      return;
    }
    case "merged": {
      const record = await startVerification(deps, work.pr, item.installationId);
      if (record !== null) {
        runtime.track(record);
        log.info(
          { pr: work.pr.number, incident: record.incident, mergeSha: work.pr.mergeSha },
          "verification started",
        );
      }
      return;
    }
    case "closed": {
      const entry = await onPullRequestClosed(deps, work.pr);
      log.info({ pr: work.pr.number, recorded: entry !== null }, "PR closed without merge");
      return;
    }
    case "issue-closed": {
      const stale = await onIssueClosed(deps, work.issue);
      log.info({ incident: work.issue, stale }, "incident issue closed");
      return;
    }
    case "review": {
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
      return;
    }
    case "label": {
      const result = await onLabel(deps, work.label);
      log.info(
        { [work.label.on === "pr" ? "pr" : "incident"]: work.label.number, label: work.label.label, result },
        "label handled",
      );
      return;
    }
    case "head": {
      const result = await onPullRequestHead(deps, work);
      log.info(
        { pr: work.pr, headSha: work.headSha, action: work.action, result: result.status },
        "PR head re-checked",
      );
      return;
    }
    case "base-push": {
      const outcomes = await onBasePush(deps, work);
      log.info(
        {
          branch: work.branch,
          pusher: work.pusher,
          prs: outcomes?.map((o) => `#${o.pr} ${o.status}`) ?? null,
        },
        "base push followed",
      );
      return;
    }
    case "onboard": {
      log.info({ result: await onboardRepository(deps) }, "onboarding handled");
      return;
    }
    case "recheck": {
      const result = await recheckPolicy(deps, work.pr, work.headSha);
      log.info({ pr: work.pr, headSha: work.headSha, result }, "policy check re-run");
      return;
    }
  }
}

import type { FlowDeps } from "../flows/deps.js";
import { fenced, safeToken } from "../proposal/markdown.js";
import { alertIssueMarker } from "../signals/alert-issue.js";
import { incidentFromAlert } from "../signals/incident-from-alert.js";
import type { Failure } from "./classify-failure.js";
import type { WorkItem } from "./work-item.js";

/** GitHub's messages are short; anything longer is cut so the comment stays readable. */
const MAX_MESSAGE = 600;

/**
 * Tells a person that accepted work was given up (SPEC §1 invariant 7): one comment on the incident
 * issue or PR the work was about, saying what failed, GitHub's answer, and the command that tries
 * again. Answers the issue or PR commented on, or null when the work has none to comment on (an
 * alert whose incident issue was never opened): then only the log and the metric say it.
 */
export async function reportFailedWork(
  deps: FlowDeps,
  item: WorkItem,
  failure: Failure,
  attempts: number,
): Promise<number | null> {
  const target = await targetOf(deps, item);
  if (target === null) return null;
  const marker = `<!-- remedy:work-failed ${safeToken(item.id, 80)} -->`;
  const { what, retry } = describeWork(item);
  const answer = failure.answer;
  const message =
    failure.message.length > MAX_MESSAGE ? `${failure.message.slice(0, MAX_MESSAGE)}…` : failure.message;
  const tries = attempts === 1 ? "1 attempt" : `${attempts} attempts`;
  const why =
    failure.kind === "transient"
      ? `It failed for a reason a retry could cure (${failure.reason}), and still failed after ${tries}.`
      : `It failed for a reason a retry would not cure (${failure.reason}), so Remedy did not retry it.`;
  const body = [
    marker,
    `⚠️ Remedy could not finish ${what}. ${why}`,
    "",
    `**What failed** (${answer}):`,
    fenced(message),
    "",
    `**What to do**: ${retry}`,
  ].join("\n");
  await deps.forge.upsertComment(target, marker, body);
  return target;
}

async function targetOf(deps: FlowDeps, item: WorkItem): Promise<number | null> {
  const { work } = item;
  switch (work.kind) {
    case "alert": {
      const incident = incidentFromAlert(deps.forge.repo, work.payload);
      return (await deps.forge.findIssue("incident", alertIssueMarker(incident.key)))?.number ?? null;
    }
    case "issue":
      return work.issue.number;
    case "comment":
      return work.comment.number;
    case "label":
      return work.label.number;
    case "merged":
    case "closed":
      return work.pr.number;
    case "issue-closed":
      return work.issue;
    case "head":
      return work.pr;
    case "review":
      return work.review.pr.number;
    case "recheck":
      return work.pr;
    case "base-push": {
      // The first of Remedy's open PRs on that base: the one a person reviews next.
      const open = await deps.forge.listRemedyPullRequests(deps.now());
      return open.find((pr) => pr.state === "open" && pr.base === work.branch)?.number ?? null;
    }
    case "onboard":
      // Nothing to comment on before the onboarding PR exists: the log says it.
      return null;
  }
}

const REDELIVER =
  "GitHub can also redeliver the webhook (the App's settings → Advanced → Recent Deliveries): Remedy gave back its claim on it, so the redelivery is handled, not ignored as a duplicate.";

function describeWork(item: WorkItem): { what: string; retry: string } {
  const { work } = item;
  switch (work.kind) {
    case "alert":
      return {
        what: `the Alertmanager notification for this incident (${work.payload.status}, ${work.payload.alerts.length} alert(s))`,
        retry:
          "comment `/propose` here to plan and open the PR again (`/diagnose` re-runs the diagnosis only). Alertmanager's next notification of the group is handled too: Remedy gave back its claim on this one, so the re-send is not ignored as a duplicate.",
      };
    case "issue":
      return {
        what: "this incident issue",
        retry: `comment \`/propose\` here to plan and open the PR again (\`/diagnose\` re-runs the diagnosis only). ${REDELIVER}`,
      };
    case "comment":
      return { what: "a command on this thread", retry: `post the command again. ${REDELIVER}` };
    case "label":
      return {
        what: `the label change \`${safeToken(work.label.label)}\``,
        retry: `remove and add the label again. ${REDELIVER}`,
      };
    case "merged":
      return {
        what: "starting the verification of this merged PR",
        retry: `comment \`/rollback\` here if the change must be reverted now. ${REDELIVER}`,
      };
    case "closed":
      return { what: "handling this PR's closing", retry: REDELIVER };
    case "issue-closed":
      return { what: "handling this incident issue's closing", retry: REDELIVER };
    case "head":
      return {
        what: "re-checking this PR's new head",
        retry: "re-run the `remedy/policy` check from the PR's Checks tab, or push again.",
      };
    case "review":
      return { what: "recording a review of this PR in the audit ledger", retry: REDELIVER };
    case "recheck":
      return {
        what: "re-running the `remedy/policy` check",
        retry: "re-run the `remedy/policy` check from the PR's Checks tab.",
      };
    case "base-push":
      return {
        what: `following a commit on \`${safeToken(work.branch)}\` with Remedy's open PRs (the base may have changed their field)`,
        retry: `redeliver the push (below), or close the PR and comment \`/diagnose\` on its incident so Remedy plans again from the current base. ${REDELIVER}`,
      };
    case "onboard":
      return { what: "opening the onboarding PR", retry: `${REDELIVER} Or run \`npx remedy init\`.` };
  }
}

import { statusReason, timelineOf } from "../audit/incident-timeline.js";
import type { RepoConfig } from "../config/repo-config.js";
import { renderTimeline, shownStatus, spliceTimeline } from "../proposal/render-timeline.js";
import type { FlowDeps } from "./deps.js";
import { pauseOf, repositoryPause } from "./pause-of.js";

export type TimelineWrite = "written" | "unchanged" | "paused" | "absent" | "too-large" | "failed";

/**
 * Rewrites Remedy's timeline section of incident issue `incident` from the ledger: one issue PATCH
 * when the section changed, none when it did not, none at all in a paused scope (SPEC §1 invariant
 * 8). A change of status also gets a short comment, so people watching the issue are notified. The
 * timeline is a report: a failure here is logged and never stops the flow that called it.
 */
export async function refreshTimeline(
  deps: FlowDeps,
  incident: number | null,
  scope: { config?: RepoConfig | null } = {},
): Promise<TimelineWrite> {
  if (incident === null) return "absent";
  try {
    return await writeTimeline(deps, incident, scope);
  } catch (error) {
    deps.log.warn({ incident, err: error }, "could not update the incident timeline");
    return "failed";
  }
}

async function writeTimeline(
  deps: FlowDeps,
  incident: number,
  scope: { config?: RepoConfig | null },
): Promise<TimelineWrite> {
  const issue = await deps.forge.getIssue(incident);
  if (issue === null) return "absent";
  const entries = await deps.audit.entries();
  const pause =
    (scope.config === undefined ? await repositoryPause(deps) : null) ??
    (await pauseOf(deps, { config: scope.config ?? null, incident, labels: issue.labels, entries }));
  if (pause !== null) return "paused";
  const timeline = timelineOf(entries, deps.forge.repo, incident);
  if (timeline.status === null) return "absent";
  const body = spliceTimeline(issue.body, renderTimeline(timeline));
  if (body === null) return "too-large";
  if (body === issue.body) return "unchanged";
  const was = shownStatus(issue.body);
  await deps.forge.updateIssueBody(incident, body);
  if (was !== null && was !== timeline.status)
    await deps.forge.comment(
      incident,
      `**Status: ${timeline.status}** (was ${was}): ${statusReason(timeline)} The timeline in the issue description has the details.`,
    );
  return "written";
}

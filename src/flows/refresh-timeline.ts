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

/** Rewrites after another writer's ledger entry at most this many more times (a flood of them gives up). */
const MAX_REWRITES = 2;

/**
 * GitHub has no compare-and-swap on an issue body, so two refreshes (a verification tick and a
 * webhook, which run under different keys) can cross: the one that read the older ledger may land
 * last. Each write is therefore followed by a look at the ledger's head, and a refresh whose ledger
 * moved meanwhile writes again, so the last writer always holds the newest ledger.
 */
async function writeTimeline(
  deps: FlowDeps,
  incident: number,
  scope: { config?: RepoConfig | null },
): Promise<TimelineWrite> {
  let result: TimelineWrite = "unchanged";
  for (let round = 0; round <= MAX_REWRITES; round++) {
    const write = await writeTimelineOnce(deps, incident, scope);
    if (write.result !== "written") return round === 0 ? write.result : result;
    result = "written";
    if ((await deps.audit.entries()).at(-1)?.hash === write.head) break;
  }
  return result;
}

async function writeTimelineOnce(
  deps: FlowDeps,
  incident: number,
  scope: { config?: RepoConfig | null },
): Promise<{ result: TimelineWrite; head?: string | undefined }> {
  const result = (value: TimelineWrite) => ({ result: value });
  const issue = await deps.forge.getIssue(incident);
  if (issue === null) return result("absent");
  const entries = await deps.audit.entries();
  const pause =
    (scope.config === undefined ? await repositoryPause(deps) : null) ??
    (await pauseOf(deps, { config: scope.config ?? null, incident, labels: issue.labels, entries }));
  if (pause !== null) return result("paused");
  const timeline = timelineOf(entries, deps.forge.repo, incident);
  if (timeline.status === null) return result("absent");
  const body = spliceTimeline(issue.body, renderTimeline(timeline));
  if (body === null) return result("too-large");
  if (body === issue.body) return result("unchanged");
  const was = shownStatus(issue.body);
  await deps.forge.updateIssueBody(incident, body);
  if (was !== null && was !== timeline.status)
    await deps.forge.comment(
      incident,
      `**Status: ${timeline.status}** (was ${was}): ${statusReason(timeline)} The timeline in the issue description has the details.`,
    );
  return { result: "written", head: entries.at(-1)?.hash };
}

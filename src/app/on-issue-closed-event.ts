import type { Context } from "probot";
import { acceptDelivery } from "./accept-delivery.js";
import type { RemedyRuntime } from "./remedy-runtime.js";

/**
 * A person closed an incident issue: Remedy's open PRs for it go stale. Remedy's own close (after a
 * verification passed) and other bots' are not a person's decision.
 */
export async function onIssueClosedEvent(
  runtime: RemedyRuntime,
  context: Context<"issues.closed">,
): Promise<void> {
  const { issue, sender } = context.payload;
  if (sender.type === "Bot" || issue.pull_request !== undefined) return;
  if (!(issue.labels ?? []).some((l) => l.name === "incident")) return;
  await acceptDelivery(runtime, context, { kind: "issue-closed", issue: issue.number });
}

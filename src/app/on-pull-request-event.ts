import type { Context } from "probot";
import { hasPlanBlock } from "../proposal/approval-packet.js";
import { acceptDelivery } from "./accept-delivery.js";
import type { RemedyRuntime } from "./remedy-runtime.js";

/**
 * A new head, an edited body or a reopening of a PR: Remedy's PRs are checked again. A PR whose body
 * carries no plan block (before or after the edit) is not Remedy's business; the flow decides the rest.
 */
export async function onPullRequestEvent(
  runtime: RemedyRuntime,
  context: Context<"pull_request.synchronize" | "pull_request.edited" | "pull_request.reopened">,
): Promise<void> {
  const { pull_request: pr, action, sender } = context.payload;
  const previousBody = action === "edited" ? context.payload.changes.body?.from : undefined;
  // A title edit changes nothing Remedy checks; a body edit by a bot is Remedy's own revision (or
  // another bot's, which the next push or re-run still catches): re-checking it would only repeat.
  if (action === "edited" && (previousBody === undefined || sender?.type === "Bot")) return;
  if (!hasPlanBlock(pr.body) && !hasPlanBlock(previousBody)) return;
  await acceptDelivery(runtime, context, { kind: "head", pr: pr.number, headSha: pr.head.sha, action });
}

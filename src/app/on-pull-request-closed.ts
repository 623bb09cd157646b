import type { Context } from "probot";
import { acceptDelivery } from "./accept-delivery.js";
import { pullRequestFromRest } from "../adapters/github/from-rest.js";
import type { RemedyRuntime } from "./remedy-runtime.js";
import { hasPlanBlock } from "../proposal/approval-packet.js";

/** A merged PR that carries a Remedy plan starts verification; anything else is not ours to watch. */
export async function onPullRequestClosed(
  runtime: RemedyRuntime,
  context: Context<"pull_request.closed">,
): Promise<void> {
  const { pull_request: pr } = context.payload;
  if (pr.merged !== true || !hasPlanBlock(pr.body)) return;
  await acceptDelivery(runtime, context, { kind: "merged", pr: pullRequestFromRest(pr) });
}

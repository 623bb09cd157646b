import type { Context } from "probot";
import { acceptDelivery } from "./accept-delivery.js";
import { pullRequestFromRest } from "../forge/github/from-rest.js";
import type { RemedyRuntime } from "./remedy-runtime.js";

const PLAN_MARKER = "<!-- remedy:plan";

/** A merged PR that carries a Remedy plan starts verification; anything else is not ours to watch. */
export async function onPullRequestClosed(runtime: RemedyRuntime, context: Context<"pull_request.closed">): Promise<void> {
  const { pull_request: pr } = context.payload;
  if (pr.merged !== true || !(pr.body ?? "").includes(PLAN_MARKER)) return;
  await acceptDelivery(runtime, context, { kind: "merged", pr: pullRequestFromRest(pr) });
}

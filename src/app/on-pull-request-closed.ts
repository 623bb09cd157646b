import type { Context } from "probot";
import { acceptDelivery } from "./accept-delivery.js";
import { pullRequestFromRest } from "../adapters/github/from-rest.js";
import type { RemedyRuntime } from "./remedy-runtime.js";
import { hasPlanBlock } from "../proposal/approval-packet.js";
import { ONBOARDING_BRANCH } from "../flows/onboard-repository.js";

/**
 * A merged PR that carries a Remedy plan starts verification; one closed unmerged is a rejection to
 * record. A PR without a plan block is not ours to watch.
 */
export async function onPullRequestClosed(
  runtime: RemedyRuntime,
  context: Context<"pull_request.closed">,
): Promise<void> {
  const { pull_request: pr } = context.payload;
  // The onboarding PR closed unmerged is a "no": the onboarding flow records it (it checks the author).
  if (pr.head.ref === ONBOARDING_BRANCH && pr.merged !== true && !hasPlanBlock(pr.body))
    return acceptDelivery(runtime, context, { kind: "onboard" });
  if (!hasPlanBlock(pr.body)) return;
  await acceptDelivery(runtime, context, {
    kind: pr.merged === true ? "merged" : "closed",
    pr: pullRequestFromRest(pr),
  });
}

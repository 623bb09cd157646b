import type { Context } from "probot";
import { pullRequestFromRest } from "../adapters/github/from-rest.js";
import { acceptDelivery } from "./accept-delivery.js";
import type { RemedyRuntime } from "./remedy-runtime.js";
import { hasPlanBlock } from "../proposal/approval-packet.js";

/** Reviews of Remedy PRs go to the audit ledger; reviews elsewhere are not Remedy's business. */
export async function onReviewEvent(
  runtime: RemedyRuntime,
  context: Context<"pull_request_review.submitted" | "pull_request_review.dismissed">,
): Promise<void> {
  const { review, pull_request: pr } = context.payload;
  if (!hasPlanBlock(pr.body)) return;
  const state = review.state.toLowerCase();
  if (state !== "approved" && state !== "changes_requested" && state !== "dismissed") return;
  await acceptDelivery(runtime, context, {
    kind: "review",
    review: {
      pr: pullRequestFromRest(pr),
      reviewId: review.id,
      reviewer: review.user?.login ?? "ghost",
      state,
      submittedAt: review.submitted_at ?? new Date().toISOString(),
      commitSha: review.commit_id ?? null,
    },
  });
}

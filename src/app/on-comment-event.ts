import type { Context } from "probot";
import { acceptDelivery } from "./accept-delivery.js";
import type { RemedyRuntime } from "./remedy-runtime.js";

/**
 * `issue_comment.created` only: an edited comment could turn an old, harmless comment into a command
 * after the fact. Bots are dropped here, before any request; the flow checks again.
 */
export async function onCommentEvent(
  runtime: RemedyRuntime,
  context: Context<"issue_comment.created">,
): Promise<void> {
  const { payload } = context;
  const authorIsBot = payload.comment.user?.type === "Bot" || payload.sender.type === "Bot";
  if (authorIsBot) return;
  await acceptDelivery(runtime, context, {
    kind: "comment",
    comment: {
      number: payload.issue.number,
      isPullRequest: Boolean(payload.issue.pull_request),
      body: payload.comment.body,
      author: payload.comment.user?.login ?? "ghost",
      authorIsBot,
    },
  });
}

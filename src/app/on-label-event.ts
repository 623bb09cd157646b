import type { Context } from "probot";
import { acceptDelivery } from "./accept-delivery.js";
import type { RemedyRuntime } from "./remedy-runtime.js";

/**
 * `issues.labeled/unlabeled` and `pull_request.labeled/unlabeled` for the `remedy:paused` label. The
 * sender is who added or removed it; the flow checks their permission before a removal resumes.
 */
export async function onLabelEvent(
  runtime: RemedyRuntime,
  context: Context<"issues.labeled" | "issues.unlabeled" | "pull_request.labeled" | "pull_request.unlabeled">,
): Promise<void> {
  const { payload } = context;
  const label = payload.label?.name;
  if (label !== "remedy:paused" || payload.sender.type === "Bot") return;
  const number = "pull_request" in payload ? payload.pull_request.number : payload.issue.number;
  await acceptDelivery(runtime, context, {
    kind: "label",
    label: {
      on: "pull_request" in payload ? "pr" : "issue",
      number,
      label,
      added: payload.action === "labeled",
      actor: payload.sender.login,
    },
  });
}

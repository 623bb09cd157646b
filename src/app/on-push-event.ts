import type { Context } from "probot";
import { acceptDelivery } from "./accept-delivery.js";
import type { RemedyRuntime } from "./remedy-runtime.js";

/**
 * A push to the repository's default branch (SPEC §2 "Stale PR"): Remedy's open PRs follow a base
 * that changed their field. A push to any other branch (a tag, Remedy's own PR branches, the audit
 * branch, a branch merely named like the default) and a deleted branch are not Remedy's business.
 */
export async function onPushEvent(runtime: RemedyRuntime, context: Context<"push">): Promise<void> {
  const { ref, deleted, repository, sender } = context.payload;
  const branch = repository.default_branch;
  if (deleted || typeof branch !== "string" || ref !== `refs/heads/${branch}`) return;
  await acceptDelivery(runtime, context, {
    kind: "base-push",
    branch,
    pusher: sender?.login ?? null,
  });
}

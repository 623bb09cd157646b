import type { Context } from "probot";
import { POLICY_CHECK } from "../flows/open-proposal.js";
import { acceptDelivery } from "./accept-delivery.js";
import type { RemedyRuntime } from "./remedy-runtime.js";

/**
 * "Re-run" on Remedy's `remedy/policy` check (GitHub sends `rerequested` only to the App that made
 * the run). Other checks, and runs on commits outside a PR, are not Remedy's business.
 */
export async function onCheckRunEvent(
  runtime: RemedyRuntime,
  context: Context<"check_run.rerequested">,
): Promise<void> {
  const run = context.payload.check_run;
  const pr = run.pull_requests[0];
  if (run.name !== POLICY_CHECK || pr === undefined) return;
  await acceptDelivery(runtime, context, { kind: "recheck", pr: pr.number, headSha: run.head_sha });
}

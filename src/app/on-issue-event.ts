import type { Context } from "probot";
import { acceptDelivery } from "./accept-delivery.js";
import { incidentIssueClaim } from "./claim-keys.js";
import { issueFromRest } from "../adapters/github/from-rest.js";
import type { RemedyRuntime } from "./remedy-runtime.js";

const INCIDENT_LABEL = "incident";
/** GitHub sends `opened` and `labeled` for an issue created with the label: one signal, one run. */
const SAME_SIGNAL_SECONDS = 600;

/** `issues.opened` with the label `incident`, or `issues.labeled` with it, from a person. */
export async function onIssueEvent(
  runtime: RemedyRuntime,
  context: Context<"issues.opened" | "issues.labeled">,
): Promise<void> {
  const { payload } = context;
  if (payload.sender.type === "Bot") return;
  const labelled =
    payload.action === "labeled"
      ? payload.label?.name === INCIDENT_LABEL
      : (payload.issue.labels ?? []).some((label) => label.name === INCIDENT_LABEL);
  if (!labelled) return;
  const claim = incidentIssueClaim(
    payload.repository.owner.login,
    payload.repository.name,
    payload.issue.number,
  );
  try {
    if (!(await runtime.store.claim(claim, SAME_SIGNAL_SECONDS))) {
      context.log.info(
        { delivery: context.id, incident: payload.issue.number },
        "incident issue already being handled",
      );
      return;
    }
  } catch (error) {
    context.log.error({ err: error, delivery: context.id }, "could not claim the incident issue");
    return;
  }
  // Given back with the delivery's claim if the work is given up, so a redelivery runs it again.
  await acceptDelivery(runtime, context, { kind: "issue", issue: issueFromRest(payload.issue) }, [claim]);
}

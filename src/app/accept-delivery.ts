import type { Context } from "probot";
import { deliveryClaim } from "./claim-keys.js";
import type { RemedyRuntime } from "./remedy-runtime.js";
import type { Work } from "./work-item.js";

/** A week: longer than the 3 days for which GitHub lets anyone redeliver a webhook. */
const DELIVERY_TTL_SECONDS = 7 * 24 * 3600;

/**
 * The one boundary of every webhook handler: claims the delivery id before any work (a redelivery
 * keeps the same X-GitHub-Delivery, so it does nothing), persists the work, and returns at once; the
 * flow runs in the background so GitHub gets its answer well within 10 s. An unexpected error is
 * logged with the delivery id, never thrown back at the webhook middleware. The claims go with the
 * stored work, so work given up gives them back and GitHub's redelivery is handled (invariant 7).
 */
export async function acceptDelivery(
  runtime: RemedyRuntime,
  context: Context,
  work: Work,
  /** Claims the handler took before this one, given back with it if the work is given up. */
  earlier: string[] = [],
): Promise<void> {
  const payload = context.payload as {
    installation?: { id: number };
    repository?: { name: string; owner: { login: string } };
  };
  const log = context.log.child({ delivery: context.id, event: context.name });
  try {
    const installationId = payload.installation?.id;
    const repository = payload.repository;
    if (installationId === undefined || repository === undefined) {
      log.warn({}, "event without installation or repository ignored");
      return;
    }
    const claim = deliveryClaim(context.id);
    if (!(await runtime.store.claim(claim, DELIVERY_TTL_SECONDS))) {
      log.info({}, "delivery already handled; ignoring the redelivery");
      return;
    }
    await runtime.accept({
      owner: repository.owner.login,
      repo: repository.name,
      installationId,
      delivery: context.id,
      receivedAt: new Date().toISOString(),
      work,
      claims: [...earlier, claim],
    });
  } catch (error) {
    log.error({ err: error }, "could not accept the event");
  }
}

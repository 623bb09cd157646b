import type { Context } from "probot";
import { deliveryClaim } from "./claim-keys.js";
import type { RemedyRuntime } from "./remedy-runtime.js";

/** As long as the delivery claims of every other handler (accept-delivery.ts). */
const DELIVERY_TTL_SECONDS = 7 * 24 * 3600;

interface InstalledRepository {
  full_name: string;
}

/**
 * The App installed on an account (`installation.created`) or given more repositories
 * (`installation_repositories.added`): one onboarding work item per repository, each claimed by
 * delivery and repository, so a redelivery does nothing. The flow decides whether a repository gets
 * the onboarding PR (it has no `.github/remedy.yml`, no earlier onboarding PR, some workloads).
 */
export async function onInstallationEvent(
  runtime: RemedyRuntime,
  context: Context<"installation.created" | "installation_repositories.added">,
): Promise<void> {
  const payload = context.payload as {
    installation?: { id: number };
    repositories?: InstalledRepository[];
    repositories_added?: InstalledRepository[];
  };
  const log = context.log.child({ delivery: context.id, event: context.name });
  const installationId = payload.installation?.id;
  const repositories = payload.repositories_added ?? payload.repositories ?? [];
  if (installationId === undefined) return;
  for (const repository of repositories) {
    const [owner, repo, ...rest] = String(repository.full_name).split("/");
    if (owner === undefined || repo === undefined || rest.length > 0 || !isName(owner) || !isName(repo))
      continue;
    try {
      const claim = `${deliveryClaim(context.id)}|${repository.full_name.toLowerCase()}`;
      if (!(await runtime.store.claim(claim, DELIVERY_TTL_SECONDS))) continue;
      await runtime.accept({
        owner,
        repo,
        installationId,
        delivery: context.id,
        receivedAt: new Date().toISOString(),
        work: { kind: "onboard" },
        claims: [claim],
      });
    } catch (error) {
      log.error({ err: error, repo: repository.full_name }, "could not accept the installation event");
    }
  }
}

/** A GitHub account or repository name: never empty, never `.` or `..`, which a URL would resolve. */
function isName(part: string): boolean {
  return /^[A-Za-z0-9_.-]+$/.test(part) && !/^\.+$/.test(part);
}

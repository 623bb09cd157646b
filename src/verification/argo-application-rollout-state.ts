import { z } from "zod";
import type { RolloutState } from "./observation.js";

const Application = z.looseObject({
  status: z
    .looseObject({
      sync: z
        .looseObject({
          status: z.string().optional(),
          revision: z.string().optional(),
          revisions: z.array(z.string()).optional(),
        })
        .optional(),
      health: z.looseObject({ status: z.string().optional(), message: z.string().optional() }).optional(),
      operationState: z
        .looseObject({
          phase: z.string().optional(),
          message: z.string().optional(),
          operation: z
            .looseObject({
              sync: z
                .looseObject({ revision: z.string().optional(), revisions: z.array(z.string()).optional() })
                .optional(),
            })
            .optional(),
          syncResult: z
            .looseObject({ revision: z.string().optional(), revisions: z.array(z.string()).optional() })
            .optional(),
        })
        .optional(),
    })
    .optional(),
});

type Revisions = { revision?: string | undefined; revisions?: string[] | undefined } | undefined;

/**
 * The rollout state of an Argo CD Application for one merge. Health only counts once Argo CD has
 * synced the merge SHA: before that, "Healthy" describes the previous revision (FACTS §3).
 * A sync operation for the merge SHA that failed is a failure even though `sync.revision` never moved.
 * Throws when the object is not an Application.
 */
export function argoApplicationRolloutState(
  app: unknown,
  mergeSha: string,
): { state: RolloutState; reason: string } {
  const parsed = Application.safeParse(app);
  if (!parsed.success) {
    throw new Error(
      `not an Argo CD Application: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"} ${i.message}`).join("; ")}`,
    );
  }
  const status = parsed.data.status ?? {};
  const operation = status.operationState;
  const phase = operation?.phase;
  const operationFailed = phase === "Failed" || phase === "Error";
  const operationTargetsMerge =
    includes(operation?.syncResult, mergeSha) || includes(operation?.operation?.sync, mergeSha);

  if (!includes(status.sync, mergeSha)) {
    if (operationFailed && operationTargetsMerge) {
      return { state: "failed", reason: `Argo CD sync of ${mergeSha} ${phase}${suffix(operation?.message)}` };
    }
    const at = status.sync?.revision ?? status.sync?.revisions?.join(", ");
    return {
      state: "progressing",
      reason: `Argo CD has not synced ${mergeSha} yet${at ? ` (at ${at})` : ""}`,
    };
  }

  const health = status.health?.status ?? "Unknown";
  const syncStatus = status.sync?.status ?? "Unknown";
  if (health === "Degraded")
    return { state: "failed", reason: `Argo CD health is Degraded${suffix(status.health?.message)}` };
  if (operationFailed)
    return { state: "failed", reason: `Argo CD sync operation ${phase}${suffix(operation?.message)}` };
  if (phase === "Running" || phase === "Terminating") {
    return { state: "progressing", reason: `Argo CD sync operation ${phase}${suffix(operation?.message)}` };
  }
  if (health === "Healthy" && syncStatus === "Synced")
    return { state: "complete", reason: `Argo CD reports Synced and Healthy at ${mergeSha}` };
  // Progressing, Suspended, Missing, Unknown, or Healthy but OutOfSync: not done, not broken.
  return {
    state: "progressing",
    reason: `Argo CD reports ${syncStatus} and ${health}${suffix(status.health?.message)}`,
  };
}

/** Git SHAs compare case-insensitively; multi-source Applications list one revision per source. */
function includes(revisions: Revisions, sha: string): boolean {
  const wanted = sha.trim().toLowerCase();
  if (wanted === "") return false;
  const all = [revisions?.revision, ...(revisions?.revisions ?? [])];
  return all.some((revision) => revision?.trim().toLowerCase() === wanted);
}

function suffix(message: string | undefined): string {
  return message ? `: ${message}` : "";
}

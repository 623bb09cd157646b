import { z } from "zod";
import type { RolloutState } from "./observation.js";

const count = z.number().int().nonnegative();

// Only the fields the decision reads; Kubernetes omits zero counts, so they default to 0.
const Deployment = z.looseObject({
  metadata: z.looseObject({ generation: count.optional() }),
  spec: z.looseObject({
    replicas: count.optional(),
    paused: z.boolean().optional(),
    template: z
      .looseObject({
        spec: z
          .looseObject({ containers: z.array(z.looseObject({ image: z.string().optional() })).default([]) })
          .optional(),
      })
      .optional(),
  }),
  status: z
    .looseObject({
      observedGeneration: count.optional(),
      replicas: count.default(0),
      updatedReplicas: count.default(0),
      availableReplicas: count.default(0),
      conditions: z
        .array(
          z.looseObject({ type: z.string(), reason: z.string().optional(), message: z.string().optional() }),
        )
        .default([]),
    })
    .default({ replicas: 0, updatedReplicas: 0, availableReplicas: 0, conditions: [] }),
});

/**
 * The rollout state of an apps/v1 Deployment, decided the way `kubectl rollout status` decides
 * (kubectl pkg/polymorphichelpers/rollout_status.go), plus two checks kubectl lacks: a paused
 * Deployment never finishes (and Kubernetes stops checking its deadline), and with `expectedImage` a
 * Deployment still running the old pod template is not yet the change under verification.
 * Throws when the object is not a Deployment.
 */
export function deploymentRolloutState(
  deployment: unknown,
  expectedImage?: string,
): { state: RolloutState; reason: string } {
  const parsed = Deployment.safeParse(deployment);
  if (!parsed.success) {
    throw new Error(
      `not a Deployment object: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"} ${i.message}`).join("; ")}`,
    );
  }
  const { metadata, spec, status } = parsed.data;
  const generation = metadata.generation ?? 0;
  const observed = status.observedGeneration;
  if (observed === undefined || generation > observed) {
    return {
      state: "progressing",
      reason: `spec update not yet observed (generation ${generation}, observed ${observed ?? "none"})`,
    };
  }
  const stalled = status.conditions.find(
    (c) => c.type === "Progressing" && c.reason === "ProgressDeadlineExceeded",
  );
  if (stalled) {
    return {
      state: "failed",
      reason: `ProgressDeadlineExceeded${stalled.message ? `: ${stalled.message}` : ""}`,
    };
  }
  // Checked before the replica counts: a paused rollout's counts never converge, and "paused" says why.
  if (spec.paused === true) return { state: "progressing", reason: "paused (spec.paused is true)" };

  const wanted = spec.replicas ?? 1; // the API server's default
  if (status.updatedReplicas < wanted) {
    return {
      state: "progressing",
      reason: `${status.updatedReplicas} of ${wanted} new replicas have been updated`,
    };
  }
  if (status.replicas > status.updatedReplicas) {
    return {
      state: "progressing",
      reason: `${status.replicas - status.updatedReplicas} old replicas are pending termination`,
    };
  }
  if (status.availableReplicas < status.updatedReplicas) {
    return {
      state: "progressing",
      reason: `${status.availableReplicas} of ${status.updatedReplicas} updated replicas are available`,
    };
  }
  if (expectedImage !== undefined) {
    const images = (spec.template?.spec?.containers ?? [])
      .map((c) => c.image)
      .filter((i): i is string => i !== undefined);
    if (!images.includes(expectedImage)) {
      return {
        state: "progressing",
        reason: `old pod template: no container runs ${expectedImage} (found ${images.join(", ") || "none"})`,
      };
    }
  }
  return {
    state: "complete",
    reason: `successfully rolled out (${status.updatedReplicas} of ${wanted} replicas updated and available)`,
  };
}

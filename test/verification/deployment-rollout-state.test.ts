import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { deploymentRolloutState } from "../../src/verification/index.js";

type Json = Record<string, unknown>;
const complete = JSON.parse(
  readFileSync(new URL("./fixtures/deployment-complete.json", import.meta.url), "utf8"),
) as Json;

/** The fixture with some fields replaced, e.g. with({ status: { updatedReplicas: 1 } }). */
function with_(patch: { metadata?: Json; spec?: Json; status?: Json }): Json {
  const copy = structuredClone(complete) as { metadata: Json; spec: Json; status: Json };
  return {
    ...copy,
    metadata: { ...copy.metadata, ...patch.metadata },
    spec: { ...copy.spec, ...patch.spec },
    status: { ...copy.status, ...patch.status },
  };
}

const stalled = {
  type: "Progressing",
  status: "False",
  lastUpdateTime: "2026-11-21T10:10:02Z",
  lastTransitionTime: "2026-11-21T10:10:02Z",
  reason: "ProgressDeadlineExceeded",
  message: 'ReplicaSet "checkout-api-5d4f7c9b8" has timed out progressing.',
};

describe("deploymentRolloutState (kubectl rollout status semantics)", () => {
  it("is complete when every replica is updated and available", () => {
    expect(deploymentRolloutState(complete)).toEqual({
      state: "complete",
      reason: "successfully rolled out (3 of 3 replicas updated and available)",
    });
  });

  it("is progressing while the controller has not observed the new generation", () => {
    expect(deploymentRolloutState(with_({ metadata: { generation: 8 } }))).toEqual({
      state: "progressing",
      reason: "spec update not yet observed (generation 8, observed 7)",
    });
    const { observedGeneration: _dropped, ...status } = complete.status as Json;
    expect(deploymentRolloutState({ ...complete, status }).reason).toBe(
      "spec update not yet observed (generation 7, observed none)",
    );
  });

  it("fails on ProgressDeadlineExceeded, quoting the condition", () => {
    const state = deploymentRolloutState(
      with_({ status: { updatedReplicas: 1, availableReplicas: 2, conditions: [stalled] } }),
    );
    expect(state).toEqual({
      state: "failed",
      reason: 'ProgressDeadlineExceeded: ReplicaSet "checkout-api-5d4f7c9b8" has timed out progressing.',
    });
  });

  it("does not trust a stalled condition from before the new generation was observed", () => {
    const state = deploymentRolloutState(
      with_({ metadata: { generation: 8 }, status: { conditions: [stalled] } }),
    );
    expect(state.state).toBe("progressing");
  });

  it.each([
    [{ updatedReplicas: 1, availableReplicas: 3, replicas: 4 }, "1 of 3 new replicas have been updated"],
    [{ updatedReplicas: 3, availableReplicas: 3, replicas: 4 }, "1 old replicas are pending termination"],
    [{ updatedReplicas: 3, availableReplicas: 2, replicas: 3 }, "2 of 3 updated replicas are available"],
  ])("waits on replica counts %j", (status, reason) => {
    expect(deploymentRolloutState(with_({ status }))).toEqual({ state: "progressing", reason });
  });

  it("reads absent status counts as zero, as the API omits them", () => {
    const state = deploymentRolloutState(
      with_({ status: { replicas: undefined, updatedReplicas: undefined, availableReplicas: undefined } }),
    );
    expect(state).toEqual({ state: "progressing", reason: "0 of 3 new replicas have been updated" });
  });

  it("is progressing while paused (Kubernetes stops checking the deadline then)", () => {
    expect(deploymentRolloutState(with_({ spec: { paused: true } }))).toEqual({
      state: "progressing",
      reason: "paused (spec.paused is true)",
    });
  });

  it("is progressing while no container runs the expected image (old pod template)", () => {
    expect(deploymentRolloutState(complete, "ghcr.io/acme/checkout-api:1.4.4")).toEqual({
      state: "progressing",
      reason:
        "old pod template: no container runs ghcr.io/acme/checkout-api:1.4.4 (found ghcr.io/acme/checkout-api:1.4.3, envoyproxy/envoy:v1.31.0)",
    });
    expect(deploymentRolloutState(complete, "ghcr.io/acme/checkout-api:1.4.3").state).toBe("complete");
  });

  it("defaults spec.replicas to 1 as the API server does", () => {
    const { replicas: _dropped, ...spec } = complete.spec as Json;
    const oneReplica = with_({ status: { replicas: 1, updatedReplicas: 1, availableReplicas: 1 } });
    expect(deploymentRolloutState({ ...oneReplica, spec }).state).toBe("complete");
  });

  it("completes a Deployment scaled to zero", () => {
    expect(
      deploymentRolloutState(
        with_({ spec: { replicas: 0 }, status: { replicas: 0, updatedReplicas: 0, availableReplicas: 0 } }),
      ).state,
    ).toBe("complete");
  });

  it("throws on something that is not a Deployment", () => {
    expect(() => deploymentRolloutState({ kind: "Status", status: "Failure" })).toThrow(
      /^not a Deployment object: metadata/,
    );
    expect(() => deploymentRolloutState(null)).toThrow(/not a Deployment object/);
  });
});

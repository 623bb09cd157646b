import { readFileSync } from "node:fs";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ArgoCdRolloutSource } from "../../src/adapters/argocd/argo-cd-rollout-source.js";
import { argoApplicationRolloutState, type HealthContext } from "../../src/verification/index.js";

type Json = Record<string, unknown>;
const MERGE = "9f2c4e1a7b3d5f60812a9c4b7e6d3f2a1b0c9d8e";
const OLD = "1111111111111111111111111111111111111111";
const synced = JSON.parse(
  readFileSync(new URL("./fixtures/argo-application-synced.json", import.meta.url), "utf8"),
) as { status: Json };

/** The fixture with parts of `status` replaced. */
function app(status: Json): unknown {
  const copy = structuredClone(synced);
  return { ...copy, status: { ...copy.status, ...status } };
}
const sync = (status: string, revision: string) => ({ sync: { status, revision } });
const health = (status: string, message?: string) => ({ health: message ? { status, message } : { status } });
const operation = (phase: string, revision: string, message: string) => ({
  operationState: { operation: { sync: { revision } }, phase, message, syncResult: { revision } },
});

describe("argoApplicationRolloutState", () => {
  it("is complete when the merge SHA is synced and healthy", () => {
    expect(argoApplicationRolloutState(synced, MERGE)).toEqual({
      state: "complete",
      reason: `Argo CD reports Synced and Healthy at ${MERGE}`,
    });
  });

  it("matches the SHA case-insensitively and in the revisions of a multi-source Application", () => {
    expect(argoApplicationRolloutState(synced, MERGE.toUpperCase()).state).toBe("complete");
    const multi = app({ sync: { status: "Synced", revisions: ["abc", MERGE] } });
    expect(argoApplicationRolloutState(multi, MERGE).state).toBe("complete");
  });

  it("is progressing while Argo CD shows another revision, even if that one is Healthy", () => {
    expect(
      argoApplicationRolloutState(
        app({ ...sync("Synced", OLD), ...operation("Succeeded", OLD, "ok") }),
        MERGE,
      ),
    ).toEqual({
      state: "progressing",
      reason: `Argo CD has not synced ${MERGE} yet (at ${OLD})`,
    });
  });

  it("does not blame the merge for a Degraded previous revision", () => {
    expect(
      argoApplicationRolloutState(app({ ...sync("OutOfSync", OLD), ...health("Degraded") }), MERGE).state,
    ).toBe("progressing");
  });

  it("fails when the sync operation for the merge SHA failed, though sync.revision never moved", () => {
    const failedSync = app({
      ...sync("OutOfSync", OLD),
      ...operation("Failed", MERGE, "one or more objects failed to apply"),
    });
    expect(argoApplicationRolloutState(failedSync, MERGE)).toEqual({
      state: "failed",
      reason: `Argo CD sync of ${MERGE} Failed: one or more objects failed to apply`,
    });
  });

  it("fails on Degraded health at the merge SHA", () => {
    const degraded = app(health("Degraded", 'Deployment "checkout-api" exceeded its progress deadline'));
    expect(argoApplicationRolloutState(degraded, MERGE)).toEqual({
      state: "failed",
      reason: 'Argo CD health is Degraded: Deployment "checkout-api" exceeded its progress deadline',
    });
  });

  it.each(["Failed", "Error"])("fails on operation phase %s at the merge SHA", (phase) => {
    expect(argoApplicationRolloutState(app(operation(phase, MERGE, "hook failed")), MERGE)).toEqual({
      state: "failed",
      reason: `Argo CD sync operation ${phase}: hook failed`,
    });
  });

  it.each(["Running", "Terminating"])("is progressing while the sync operation is %s", (phase) => {
    expect(
      argoApplicationRolloutState(app(operation(phase, MERGE, "waiting for healthy state")), MERGE).state,
    ).toBe("progressing");
  });

  it.each(["Progressing", "Suspended", "Missing", "Unknown"])(
    "is progressing while health is %s",
    (status) => {
      expect(argoApplicationRolloutState(app(health(status)), MERGE)).toEqual({
        state: "progressing",
        reason: `Argo CD reports Synced and ${status}`,
      });
    },
  );

  it("is progressing while Healthy but OutOfSync at the merge SHA", () => {
    expect(argoApplicationRolloutState(app(sync("OutOfSync", MERGE)), MERGE).reason).toBe(
      "Argo CD reports OutOfSync and Healthy",
    );
  });

  it("is progressing for an Application without status yet", () => {
    expect(argoApplicationRolloutState({ metadata: { name: "x" } }, MERGE)).toEqual({
      state: "progressing",
      reason: `Argo CD has not synced ${MERGE} yet`,
    });
  });

  it("throws on something that is not an Application", () => {
    expect(() => argoApplicationRolloutState("nope", MERGE)).toThrow(/not an Argo CD Application/);
  });
});

describe("ArgoCdRolloutSource", () => {
  const ARGO = "https://argocd.test";
  const ctx: HealthContext = {
    service: "checkout-api",
    environment: "prod",
    workload: "checkout-api",
    mergeSha: MERGE,
    at: "2026-11-21T10:00:30.000Z",
  };
  const source = (timeoutMs?: number) =>
    new ArgoCdRolloutSource({
      url: `${ARGO}/`,
      token: "argo-token",
      application: "checkout-api-prod",
      ...(timeoutMs ? { timeoutMs } : {}),
    });

  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });
  afterAll(() => nock.enableNetConnect());

  it("GETs the Application with the bearer token and judges it against the merge SHA", async () => {
    nock(ARGO, { reqheaders: { authorization: "Bearer argo-token" } })
      .get("/api/v1/applications/checkout-api-prod")
      .reply(200, synced);
    expect((await source().rollout(ctx))?.state).toBe("complete");
    nock(ARGO).get("/api/v1/applications/checkout-api-prod").reply(200, synced);
    expect((await source().rollout({ ...ctx, mergeSha: OLD }))?.state).toBe("progressing");
  });

  it("is unknown (null) on HTTP errors, bad bodies and timeouts", async () => {
    nock(ARGO)
      .get("/api/v1/applications/checkout-api-prod")
      .reply(403, { error: "permission denied", code: 7, message: "permission denied" });
    expect(await source().rollout(ctx)).toBeNull();
    nock(ARGO).get("/api/v1/applications/checkout-api-prod").reply(200, "[]");
    expect(await source().rollout(ctx)).toBeNull();
    nock(ARGO).get("/api/v1/applications/checkout-api-prod").delay(2_000).reply(200, synced);
    expect(await source(100).rollout(ctx)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { editField, findBaseReplicas, readField, readReplicasFallback } from "../../src/manifests/index.js";
import { acme, edited, helm, kustomize, repo } from "./helpers.js";

const STAGING = "manifests/checkout-api/overlays/staging/kustomization.yaml";
const DEPLOYMENT = "manifests/checkout-api/base/deployment.yaml";
// The staging overlay without its replicas entry: the count then comes from the base Deployment.
const OVERLAY = acme(STAGING).replace("replicas:\n  - name: checkout-api\n    count: 1\n", "");
const FILES = {
  [STAGING]: OVERLAY,
  "manifests/checkout-api/base/kustomization.yaml": acme("manifests/checkout-api/base/kustomization.yaml"),
  [DEPLOYMENT]: acme(DEPLOYMENT),
};
const target = kustomize({ file: STAGING });

describe("readReplicasFallback", () => {
  it("reads spec.replicas of the base Deployment when the overlay has no entry", async () => {
    expect(readField(OVERLAY, target, "replicas")).toMatchObject({ ok: false, code: "missing" });
    expect(await readReplicasFallback(target, repo(FILES))).toBe(2);
    expect(await findBaseReplicas(target, repo(FILES))).toEqual({
      ok: true,
      value: 2,
      file: DEPLOYMENT,
      line: 6,
      defaulted: false,
    });
  });

  it("defaults to 1 when the Deployment has no spec.replicas, as Kubernetes does", async () => {
    const files = { ...FILES, [DEPLOYMENT]: acme(DEPLOYMENT).replace("  replicas: 2\n", "") };
    expect(await findBaseReplicas(target, repo(files))).toMatchObject({
      ok: true,
      value: 1,
      defaulted: true,
    });
  });

  it("prefers an inner overlay's replicas entry over its resources", async () => {
    const files = {
      "prod/kustomization.yaml": "resources: [../mid]\n",
      "mid/kustomization.yaml":
        "resources: [../manifests/checkout-api/base]\nreplicas:\n  - name: checkout-api\n    count: 5\n",
      "manifests/checkout-api/base/kustomization.yaml":
        FILES["manifests/checkout-api/base/kustomization.yaml"],
      [DEPLOYMENT]: FILES[DEPLOYMENT],
    };
    expect(await findBaseReplicas(kustomize({ file: "prod/kustomization.yaml" }), repo(files))).toEqual({
      ok: true,
      value: 5,
      file: "mid/kustomization.yaml",
      line: 4,
      defaulted: false,
    });
  });

  it("finds a StatefulSet too", async () => {
    const files = {
      "o/kustomization.yaml": "resources: [db.yaml]\n",
      "o/db.yaml": "kind: StatefulSet\nmetadata: { name: checkout-api }\nspec: { replicas: 3 }\n",
    };
    expect(await readReplicasFallback(kustomize({ file: "o/kustomization.yaml" }), repo(files))).toBe(3);
  });

  it("returns null, with a reason from findBaseReplicas, when it cannot be sure", async () => {
    const twice = {
      ...FILES,
      "manifests/checkout-api/base/kustomization.yaml": "resources: [deployment.yaml, copy.yaml]\n",
      "manifests/checkout-api/base/copy.yaml": acme(DEPLOYMENT),
    };
    expect(await readReplicasFallback(target, repo(twice))).toBeNull();
    expect(await findBaseReplicas(target, repo(twice))).toMatchObject({
      ok: false,
      reason: expect.stringContaining("defined 2 times"),
    });

    const patched = {
      ...FILES,
      [STAGING]: `${OVERLAY}patches:\n  - path: more.yaml\n`,
      "manifests/checkout-api/overlays/staging/more.yaml":
        "kind: Deployment\nmetadata: { name: checkout-api }\nspec: { replicas: 9 }\n",
    };
    expect(await findBaseReplicas(target, repo(patched))).toMatchObject({
      ok: false,
      reason: expect.stringContaining(
        "patch manifests/checkout-api/overlays/staging/more.yaml mentions replicas",
      ),
    });

    const inline = {
      ...FILES,
      [STAGING]: `${OVERLAY}patches:\n  - patch: |\n      - op: replace\n        path: /spec/replicas\n        value: 9\n`,
    };
    expect(await readReplicasFallback(target, repo(inline))).toBeNull();

    expect(await findBaseReplicas(target, repo({ [STAGING]: OVERLAY }))).toMatchObject({ ok: false });
    expect(await readReplicasFallback(helm(), repo({}))).toBeNull();
    const aliased = {
      ...FILES,
      [DEPLOYMENT]: "x: &n 3\nkind: Deployment\nmetadata: { name: checkout-api }\nspec: { replicas: *n }\n",
    };
    expect(await readReplicasFallback(target, repo(aliased))).toBeNull();
  });

  it("pairs with editField, which adds the entry to the overlay", () => {
    const text = edited(editField(OVERLAY, target, "replicas", "4"));
    expect(text).toBe(`${OVERLAY}replicas:\n  - name: checkout-api\n    count: 4\n`);
  });
});

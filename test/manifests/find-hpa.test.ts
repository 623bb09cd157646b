import { describe, expect, it } from "vitest";
import { findHpa } from "../../src/manifests/index.js";
import { acme, helm, kustomize, repo } from "./helpers.js";

const OVERLAY = "manifests/checkout-api/overlays/prod/kustomization.yaml";
const BASE_FILES = {
  [OVERLAY]: acme(OVERLAY),
  "manifests/checkout-api/base/kustomization.yaml": acme("manifests/checkout-api/base/kustomization.yaml"),
  "manifests/checkout-api/base/deployment.yaml": acme("manifests/checkout-api/base/deployment.yaml"),
};
const HPA = (name: string) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: ${name}-hpa }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ${name} }
  minReplicas: 2
  maxReplicas: 10
`;
const target = kustomize({ file: OVERLAY });

describe("findHpa: helm", () => {
  it("reports autoscaling.enabled in the values file", async () => {
    const files = {
      "w.yaml": acme("manifests/worker/values-prod.yaml"),
      "s.yaml": acme("manifests/search-api/values-prod.yaml"),
    };
    expect(await findHpa(helm({ file: "w.yaml" }), repo(files))).toEqual({
      managed: true,
      reason: "w.yaml: autoscaling.enabled is on",
    });
    expect(await findHpa(helm({ file: "s.yaml" }), repo(files))).toEqual({ managed: false });
  });

  it("says so when the values file cannot be read", async () => {
    expect(await findHpa(helm({ file: "gone.yaml" }), repo({}))).toMatchObject({
      managed: false,
      reason: expect.stringContaining("gone.yaml"),
    });
    expect(await findHpa(helm({ file: "bad.yaml" }), repo({ "bad.yaml": "a: [\n" }))).toMatchObject({
      managed: false,
      reason: expect.stringContaining("bad.yaml is not valid YAML"),
    });
  });
});

describe("findHpa: kustomize", () => {
  it("finds no HPA in the example overlay", async () => {
    expect(await findHpa(target, repo(BASE_FILES))).toEqual({ managed: false });
  });

  it("finds an HPA for the workload in a base resource", async () => {
    const files = {
      ...BASE_FILES,
      "manifests/checkout-api/base/kustomization.yaml": "resources:\n  - deployment.yaml\n  - hpa.yaml\n",
      "manifests/checkout-api/base/hpa.yaml": HPA("checkout-api"),
    };
    expect(await findHpa(target, repo(files))).toEqual({
      managed: true,
      reason:
        "manifests/checkout-api/base/hpa.yaml: HorizontalPodAutoscaler checkout-api-hpa targets checkout-api",
    });
  });

  it("finds an HPA in a multi-document file of the overlay itself, and a KEDA ScaledObject", async () => {
    const overlay = "resources:\n  - ../../base\n  - scaling.yaml\n";
    const scaling = `kind: ConfigMap\nmetadata: { name: x }\n---\n${HPA("checkout-api")}`;
    const files = {
      ...BASE_FILES,
      [OVERLAY]: overlay,
      "manifests/checkout-api/overlays/prod/scaling.yaml": scaling,
    };
    expect(await findHpa(target, repo(files))).toMatchObject({ managed: true });
    const keda = "kind: ScaledObject\nspec:\n  scaleTargetRef:\n    name: checkout-api\n";
    const withKeda = { ...files, "manifests/checkout-api/overlays/prod/scaling.yaml": keda };
    expect(await findHpa(target, repo(withKeda))).toMatchObject({ managed: true });
  });

  it("ignores an HPA for another workload", async () => {
    const files = {
      ...BASE_FILES,
      "manifests/checkout-api/base/kustomization.yaml": "resources: [deployment.yaml, hpa.yaml]\n",
      "manifests/checkout-api/base/hpa.yaml": HPA("payments"),
    };
    expect(await findHpa(target, repo(files))).toEqual({ managed: false });
  });

  it("follows components and kustomization.yml, and survives cycles", async () => {
    const files = {
      "a/kustomization.yaml": "resources: [../b]\ncomponents: [../c]\n",
      "b/kustomization.yml": "resources: [../a]\n",
      "c/Kustomization": "resources: [hpa.yaml]\n",
      "c/hpa.yaml": HPA("checkout-api"),
    };
    expect(await findHpa(kustomize({ file: "a/kustomization.yaml" }), repo(files))).toMatchObject({
      managed: true,
    });
  });

  it("notes what it could not check: remote, outside the repo, missing, invalid", async () => {
    const files = {
      "o/kustomization.yaml":
        "resources:\n  - https://github.com/acme/x//base?ref=v1\n  - ../../outside\n  - missing.yaml\n  - broken.yaml\n",
      "o/broken.yaml": "a: [\n",
    };
    const result = await findHpa(kustomize({ file: "o/kustomization.yaml" }), repo(files));
    expect(result.managed).toBe(false);
    expect(result.reason).toContain("remote base https://github.com/acme/x//base?ref=v1 not checked");
    expect(result.reason).toContain("../../outside is outside the repository");
    expect(result.reason).toContain("o/missing.yaml");
    expect(result.reason).toContain("o/broken.yaml is not valid YAML");
  });

  it("does not expand an alias bomb", async () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 8; i++)
      levels.push(
        `l${i}: &l${i} [${Array(10)
          .fill(i === 1 ? "*a" : `*l${i - 1}`)
          .join(", ")}]`,
      );
    const files = {
      "o/kustomization.yaml": "resources: [bomb.yaml]\n",
      "o/bomb.yaml": `${levels.join("\n")}\n`,
    };
    const result = await findHpa(kustomize({ file: "o/kustomization.yaml" }), repo(files));
    expect(result).toMatchObject({
      managed: false,
      reason: expect.stringContaining("o/bomb.yaml could not be read"),
    });
  });

  it("stops at a bounded depth", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`k${i}/kustomization.yaml`] = `resources: [../k${i + 1}]\n`;
    files["k20/kustomization.yaml"] = "resources: [hpa.yaml]\n";
    files["k20/hpa.yaml"] = HPA("checkout-api");
    const result = await findHpa(kustomize({ file: "k0/kustomization.yaml" }), repo(files));
    expect(result.managed).toBe(false);
    expect(result.reason).toContain("nested more than");
  });
});

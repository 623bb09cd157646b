import { describe, expect, it } from "vitest";
import { editField, readField } from "../../src/manifests/index.js";
import type { EditResult, ReadResult } from "../../src/manifests/index.js";
import { acme, helm, kustomize } from "./helpers.js";

function refusal(result: ReadResult | EditResult): { code: string; reason: string } {
  if (result.ok) throw new Error("expected a refusal");
  return { code: result.code, reason: result.reason };
}

describe("refusals name the file and the path", () => {
  it("parse errors, with the line", () => {
    const r = refusal(editField("image:\n  tag: [1.0\nreplicaCount: 2\n", helm(), "replicas", "3"));
    expect(r.code).toBe("parse-error");
    expect(r.reason).toMatch(/^values\.yaml:\d+: is not valid YAML/);
  });

  it("duplicate keys are a parse error", () => {
    expect(refusal(readField("replicaCount: 2\nreplicaCount: 3\n", helm(), "replicas")).code).toBe(
      "parse-error",
    );
  });

  it("a values file with several documents", () => {
    const r = refusal(editField("replicaCount: 2\n---\nreplicaCount: 3\n", helm(), "replicas", "4"));
    expect(r).toEqual({
      code: "multi-document",
      reason: "values.yaml: has 2 YAML documents; a Helm values file must be a single document.",
    });
  });

  it("a value that is an alias", () => {
    const text = "defaults:\n  tag: &t 1.0.0\nimage:\n  tag: *t\n";
    const r = refusal(editField(text, helm(), "image", "1.0.1"));
    expect(r.code).toBe("alias");
    expect(r.reason).toContain("values.yaml: image.tag");
    expect(r.reason).toContain("*t");
  });

  it("a value that is anchored and used elsewhere", () => {
    const text = "image:\n  tag: &t 1.0.0\nsidecar:\n  tag: *t\n";
    const r = refusal(editField(text, helm(), "image", "1.0.1"));
    expect(r.code).toBe("alias");
    expect(r.reason).toContain("&t");
  });

  it("a path that crosses an alias, or an aliased parent", () => {
    const crossing = "base: &img\n  repository: r\n  tag: 1.0.0\nimage: *img\n";
    expect(refusal(editField(crossing, helm(), "image", "1.0.1")).code).toBe("alias");
    const shared = "image: &img\n  repository: r\n  tag: 1.0.0\nsidecar: *img\n";
    expect(refusal(editField(shared, helm(), "image", "1.0.1")).code).toBe("alias");
  });

  it("a key that a << merge would provide", () => {
    const text = "defaults: &d\n  replicaCount: 2\napp:\n  <<: *d\n  name: x\n";
    const r = refusal(editField(text, helm({ replicasKey: "app.replicaCount" }), "replicas", "3"));
    expect(r.code).toBe("alias");
    expect(r.reason).toContain("<< merge");
  });

  it("a kustomize entry behind an alias", () => {
    const text = "x: &e\n  name: checkout-api\n  count: 2\nreplicas:\n  - *e\n";
    expect(refusal(editField(text, kustomize(), "replicas", "3")).code).toBe("alias");
  });

  it("a missing Helm key is never created", () => {
    const r = refusal(editField("replicas: 2\n", helm(), "replicas", "3"));
    expect(r.code).toBe("missing");
    expect(r.reason).toContain("values.yaml: replicaCount does not exist");
    expect(refusal(editField("image: nginx:1.0\n", helm(), "image", "1.1")).code).toBe("missing");
    expect(refusal(editField("image:\n  tag:\n", helm(), "image", "1.1")).code).toBe("missing");
    expect(refusal(editField("", helm(), "replicas", "1")).code).toBe("missing");
  });

  it("invalid values", () => {
    const values = acme("manifests/search-api/values-prod.yaml");
    for (const count of ["-1", "+2", "x2", "1.5", "06", "99999999999"]) {
      expect(refusal(editField(values, helm(), "replicas", count)).code).toBe("invalid-value");
    }
    for (const tag of ["", ".hidden", "-x", "1.0 beta", "1.0+build", "a/b", "x".repeat(129), "v1:2"]) {
      expect(refusal(editField(values, helm(), "image", tag)).code).toBe("invalid-value");
    }
    // A tag pin does not silently become a digest pin.
    expect(refusal(editField(values, helm(), "image", `sha256:${"a".repeat(64)}`)).code).toBe(
      "invalid-value",
    );
  });

  it("an existing count that is not an integer", () => {
    expect(refusal(readField("replicaCount: many\n", helm(), "replicas")).code).toBe("invalid-value");
    expect(refusal(readField("replicaCount: { a: 1 }\n", helm(), "replicas")).code).toBe("invalid-value");
  });

  it("a tag written over several lines", () => {
    expect(refusal(editField("image:\n  tag: |\n    1.0.0\n", helm(), "image", "1.0.1")).code).toBe(
      "invalid-value",
    );
  });

  it("an unchanged value", () => {
    const values = acme("manifests/search-api/values-prod.yaml");
    expect(refusal(editField(values, helm(), "replicas", "6"))).toEqual({
      code: "unchanged",
      reason: "values.yaml: replicaCount is already 6; nothing to change.",
    });
    expect(refusal(editField(values, helm(), "image", "2.10")).code).toBe("unchanged");
  });

  it("a Helm repository that is not the configured image", () => {
    const values = acme("manifests/search-api/values-prod.yaml");
    const r = refusal(editField(values, helm({ image: "ghcr.io/acme/checkout-api" }), "image", "2.11"));
    expect(r.code).toBe("mismatch");
    expect(r.reason).toContain("image.repository is ghcr.io/acme/search-api");
    expect(refusal(readField(values, helm({ image: "ghcr.io/acme/other" }), "image")).code).toBe("mismatch");
  });

  it("an invalid dotted key", () => {
    expect(refusal(readField("a: 1\n", helm({ replicasKey: "a..b" }), "replicas")).code).toBe("missing");
  });
});

describe("HPA-managed Helm replicas", () => {
  it("refuses autoscaling.enabled at the root (the worker fixture)", () => {
    const r = refusal(editField(acme("manifests/worker/values-prod.yaml"), helm(), "replicas", "5"));
    expect(r.code).toBe("hpa");
    expect(r.reason).toContain("autoscaling.enabled is on");
  });

  it("refuses autoscaling.enabled next to a nested replicas key", () => {
    const text = "app:\n  deployment:\n    replicas: 2\n  autoscaling:\n    enabled: true\n";
    expect(
      refusal(editField(text, helm({ replicasKey: "app.deployment.replicas" }), "replicas", "3")).code,
    ).toBe("hpa");
  });

  it("follows Go template truthiness and merges", () => {
    // Charts test `if not .Values.autoscaling.enabled`: the string "false" is truthy there.
    expect(
      refusal(editField('replicaCount: 1\nautoscaling:\n  enabled: "false"\n', helm(), "replicas", "2")).code,
    ).toBe("hpa");
    const merged = "hpa: &hpa\n  enabled: true\nreplicaCount: 1\nautoscaling:\n  <<: *hpa\n";
    expect(refusal(editField(merged, helm(), "replicas", "2")).code).toBe("hpa");
  });

  it("allows the edit when autoscaling is off", () => {
    expect(editField(acme("manifests/search-api/values-prod.yaml"), helm(), "replicas", "8")).toMatchObject({
      ok: true,
    });
  });
});

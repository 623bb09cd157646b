import { describe, expect, it } from "vitest";
import { editField, readField, unifiedDiff } from "../../src/manifests/index.js";
import type { Field, ManifestTarget } from "../../src/manifests/index.js";
import { acme, helm, kustomize, oneLineEdit } from "./helpers.js";

// The example GitOps repository's manifests (copied from scenarios/repos/acme): each configured field
// reads, and each edit changes exactly its own line.
const CASES: Array<{ target: ManifestTarget; field: Field; value: string; form: string; to: string }> = [
  {
    target: helm({ file: "manifests/search-api/values-prod.yaml", image: "ghcr.io/acme/search-api" }),
    field: "replicas",
    value: "6",
    form: "count",
    to: "8",
  },
  {
    target: helm({ file: "manifests/search-api/values-prod.yaml", image: "ghcr.io/acme/search-api" }),
    field: "image",
    value: "2.10",
    form: "tag",
    to: "2.11",
  },
  {
    target: helm({ file: "manifests/worker/values-prod.yaml" }),
    field: "image",
    value: "0.9.4",
    form: "tag",
    to: "0.9.5",
  },
  {
    target: kustomize({
      file: "manifests/payments/overlays/prod/kustomization.yaml",
      workload: "payments",
      image: "ghcr.io/acme/payments",
    }),
    field: "replicas",
    value: "3",
    form: "count",
    to: "5",
  },
  {
    target: kustomize({
      file: "manifests/payments/overlays/prod/kustomization.yaml",
      workload: "payments",
      image: "ghcr.io/acme/payments",
    }),
    field: "image",
    value: "3.2.0",
    form: "tag",
    to: "3.2.1",
  },
  {
    target: kustomize({
      file: "manifests/checkout-api/overlays/staging/kustomization.yaml",
      image: "ghcr.io/acme/checkout-api",
    }),
    field: "replicas",
    value: "1",
    form: "count",
    to: "2",
  },
  {
    target: kustomize({
      file: "manifests/checkout-api/overlays/staging/kustomization.yaml",
      image: "ghcr.io/acme/checkout-api",
    }),
    field: "image",
    value: "1.5.0-rc.1",
    form: "tag",
    to: "1.5.0",
  },
  {
    target: kustomize({
      file: "manifests/checkout-api/overlays/prod/kustomization.yaml",
      image: "ghcr.io/acme/checkout-api",
    }),
    field: "replicas",
    value: "4",
    form: "count",
    to: "6",
  },
  {
    target: kustomize({
      file: "manifests/checkout-api/overlays/prod/kustomization.yaml",
      image: "ghcr.io/acme/checkout-api",
    }),
    field: "image",
    value: "1.4.2",
    form: "tag",
    to: "1.4.3",
  },
];

describe("acme example manifests", () => {
  it.each(CASES)("$target.file $field: $value → $to", ({ target, field, value, form, to }) => {
    const text = acme(target.file);
    expect(readField(text, target, field)).toMatchObject({ ok: true, value, form });
    const result = editField(text, target, field, to);
    const after = oneLineEdit(text, result);
    expect(readField(after, target, field)).toMatchObject({ ok: true, value: to, form });
    expect(
      unifiedDiff(target.file, text, after)
        .split("\n")
        .filter((line) => /^[-+][^-+]/.test(line)),
    ).toHaveLength(2);
  });

  it("search-api: the replicas diff keeps the trailing comment and its spacing", () => {
    const target = helm({ file: "manifests/search-api/values-prod.yaml" });
    const text = acme(target.file);
    expect(unifiedDiff(target.file, text, oneLineEdit(text, editField(text, target, "replicas", "8"))))
      .toMatchInlineSnapshot(`
      "--- a/manifests/search-api/values-prod.yaml
      +++ b/manifests/search-api/values-prod.yaml
      @@ -1,5 +1,5 @@
       # search-api production values
      -replicaCount: 6   # sized for the 2026 catalogue
      +replicaCount: 8   # sized for the 2026 catalogue
       
       image:
         repository: ghcr.io/acme/search-api
      "
    `);
  });

  it("search-api: a 2.10 → 2.11 tag edit stays a quoted string and leaves the flow map alone", () => {
    const target = helm({ file: "manifests/search-api/values-prod.yaml" });
    const text = acme(target.file);
    const after = oneLineEdit(text, editField(text, target, "image", "2.11"));
    expect(after).toBe(text.replace('tag: "2.10"', 'tag: "2.11"'));
    expect(after).toContain("requests: { cpu: 500m, memory: 1Gi }");
  });

  it("worker: replicas are HPA-managed", () => {
    const target = helm({ file: "manifests/worker/values-prod.yaml" });
    expect(readField(acme(target.file), target, "replicas")).toMatchObject({ ok: true, value: "3" });
    expect(editField(acme(target.file), target, "replicas", "6")).toMatchObject({ ok: false, code: "hpa" });
  });

  it("base kustomization: an added replicas entry is the only change", () => {
    const target = kustomize({ file: "manifests/checkout-api/base/kustomization.yaml" });
    const text = acme(target.file);
    const result = editField(text, target, "replicas", "2");
    expect(result.ok && unifiedDiff(target.file, text, result.text)).toMatchInlineSnapshot(`
      "--- a/manifests/checkout-api/base/kustomization.yaml
      +++ b/manifests/checkout-api/base/kustomization.yaml
      @@ -2,3 +2,6 @@
       kind: Kustomization
       resources:
         - deployment.yaml
      +replicas:
      +  - name: checkout-api
      +    count: 2
      "
    `);
  });
});

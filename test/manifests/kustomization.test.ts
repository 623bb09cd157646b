import { describe, expect, it } from "vitest";
import { editField, readField, unifiedDiff } from "../../src/manifests/index.js";
import { acme, edited, expectOnlyAddedLines, kustomize, oneLineEdit } from "./helpers.js";

const PROD = acme("manifests/checkout-api/overlays/prod/kustomization.yaml");
const target = kustomize({
  file: "manifests/checkout-api/overlays/prod/kustomization.yaml",
  image: "ghcr.io/acme/checkout-api",
});

describe("kustomize: replicas", () => {
  it("reads and edits the workload's count", () => {
    expect(readField(PROD, target, "replicas")).toEqual({ ok: true, value: "4", form: "count", line: 10 });
    const result = editField(PROD, target, "replicas", "6");
    expect(result).toMatchObject({ ok: true, before: { value: "4", form: "count", line: 10 }, after: "6" });
    expect(unifiedDiff(target.file, PROD, edited(result)))
      .toBe(`--- a/manifests/checkout-api/overlays/prod/kustomization.yaml
+++ b/manifests/checkout-api/overlays/prod/kustomization.yaml
@@ -7,7 +7,7 @@
 # Capacity for production traffic; keep at least 4 during business hours.
 replicas:
   - name: checkout-api
-    count: 4
+    count: 6
 
 images:
   - name: ghcr.io/acme/checkout-api
`);
    oneLineEdit(PROD, result);
  });

  it("reports missing, then appends a replicas block, when the file has no replicas key", () => {
    const before = acme("manifests/checkout-api/base/kustomization.yaml");
    expect(readField(before, target, "replicas")).toMatchObject({ ok: false, code: "missing" });
    const result = editField(before, target, "replicas", "3");
    expect(result).toMatchObject({
      ok: true,
      added: true,
      before: { value: "", form: "count", line: 7 },
      after: "3",
    });
    const text = edited(result);
    expect(text).toBe(`apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
replicas:
  - name: checkout-api
    count: 3
`);
    expectOnlyAddedLines(before, text);
    expect(readField(text, target, "replicas")).toEqual({ ok: true, value: "3", form: "count", line: 7 });
  });

  it("appends an entry to an existing list in the list's own style", () => {
    const before = `replicas:
- name: web # the frontend
  count: 2   # min
images: []
`;
    const text = edited(editField(before, target, "replicas", "5"));
    expect(text).toBe(`replicas:
- name: web # the frontend
  count: 2   # min
- name: checkout-api
  count: 5
images: []
`);
    expectOnlyAddedLines(before, text);
  });

  it("appends a flow-style item after flow-style items", () => {
    const before = "replicas:\n  - { name: web, count: 2 }\n";
    expect(edited(editField(before, target, "replicas", "5"))).toBe(
      "replicas:\n  - { name: web, count: 2 }\n  - { name: checkout-api, count: 5 }\n",
    );
  });

  it("matches an unindented file when adding a replicas block, and keeps CRLF and a missing final newline", () => {
    const before = "kind: Kustomization\r\nresources:\r\n- ../../base";
    const text = edited(editField(before, target, "replicas", "2"));
    expect(text).toBe(
      "kind: Kustomization\r\nresources:\r\n- ../../base\r\nreplicas:\r\n- name: checkout-api\r\n  count: 2\r\n",
    );
    expectOnlyAddedLines(before, text);
  });

  it("refuses a count that is not a non-negative integer, even when adding", () => {
    const base = acme("manifests/checkout-api/base/kustomization.yaml");
    for (const value of ["-1", "abc", "1.5", "06", ""]) {
      expect(editField(PROD, target, "replicas", value)).toMatchObject({ ok: false, code: "invalid-value" });
      expect(editField(base, target, "replicas", value)).toMatchObject({ ok: false, code: "invalid-value" });
    }
  });

  it("refuses two entries for the same workload", () => {
    const before = "replicas:\n  - name: checkout-api\n    count: 2\n  - name: checkout-api\n    count: 3\n";
    expect(editField(before, target, "replicas", "4")).toMatchObject({ ok: false, code: "ambiguous" });
  });
});

describe("kustomize: images", () => {
  it("edits newTag and keeps the trailing comment", () => {
    expect(readField(PROD, target, "image")).toEqual({ ok: true, value: "1.4.2", form: "tag", line: 14 });
    const text = oneLineEdit(PROD, editField(PROD, target, "image", "1.4.3"));
    expect(text.split("\n")[13]).toBe('    newTag: "1.4.3" # released 2026-11-21 by the release train');
  });

  it("uses the only entry when no image is configured, and refuses when there are several", () => {
    const { image: _unused, ...noImage } = target;
    expect(readField(PROD, noImage, "image")).toMatchObject({ ok: true, value: "1.4.2" });
    const two = `${PROD}  - name: ghcr.io/acme/sidecar\n    newTag: "2.0"\n`;
    expect(readField(two, noImage, "image")).toMatchObject({ ok: false, code: "ambiguous" });
    expect(readField(two, target, "image")).toMatchObject({ ok: true, value: "1.4.2" });
  });

  it("edits the digest when the image is pinned by digest, and only accepts a digest", () => {
    const old = `sha256:${"1".repeat(64)}`;
    const next = `sha256:${"2".repeat(64)}`;
    const before = `images:\n  - name: ghcr.io/acme/checkout-api\n    digest: ${old}\n`;
    expect(readField(before, target, "image")).toEqual({ ok: true, value: old, form: "digest", line: 3 });
    expect(editField(before, target, "image", "1.4.3")).toMatchObject({ ok: false, code: "invalid-value" });
    expect(oneLineEdit(before, editField(before, target, "image", next))).toBe(
      `images:\n  - name: ghcr.io/acme/checkout-api\n    digest: ${next}\n`,
    );
  });

  it("refuses to invent an image entry", () => {
    const other = kustomize({ image: "ghcr.io/acme/other" });
    const result = editField(PROD, other, "image", "1.0.0");
    expect(result).toMatchObject({ ok: false, code: "missing" });
    expect(result.ok ? "" : result.reason).toContain("ghcr.io/acme/checkout-api");
    expect(editField("resources: [a]\n", target, "image", "1.0.0")).toMatchObject({
      ok: false,
      code: "missing",
    });
    expect(
      editField("images:\n  - name: ghcr.io/acme/checkout-api\n    newName: x\n", target, "image", "1.0.0"),
    ).toMatchObject({
      ok: false,
      code: "missing",
    });
  });

  it("writes a tag that YAML would re-type quoted where the old one was plain", () => {
    const before = "images:\n  - name: ghcr.io/acme/checkout-api\n    newTag: 1.9\n";
    expect(oneLineEdit(before, editField(before, target, "image", "1.10"))).toBe(
      'images:\n  - name: ghcr.io/acme/checkout-api\n    newTag: "1.10"\n',
    );
  });
});

describe("kustomize: several documents", () => {
  const STREAM = `apiVersion: v1
kind: ConfigMap
metadata: { name: notes }
---
# the overlay
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
images:
  - name: ghcr.io/acme/checkout-api
    newTag: '1.0.0'
---
kind: Secret
`;

  it("selects the one Kustomization document", () => {
    const text = oneLineEdit(STREAM, editField(STREAM, target, "image", "1.0.1"));
    expect(text).toBe(STREAM.replace("newTag: '1.0.0'", "newTag: '1.0.1'"));
  });

  it("adds a replicas block inside the selected document, not after the next one", () => {
    const text = edited(editField(STREAM, target, "replicas", "3"));
    expect(text).toBe(
      STREAM.replace(
        "newTag: '1.0.0'\n",
        "newTag: '1.0.0'\nreplicas:\n  - name: checkout-api\n    count: 3\n",
      ),
    );
    expectOnlyAddedLines(STREAM, text);
  });

  it("refuses when no document, or more than one, is a Kustomization", () => {
    const none = "kind: ConfigMap\n---\nkind: Secret\n";
    const two = `${STREAM}---\nkind: Kustomization\n`;
    expect(readField(none, target, "image")).toMatchObject({ ok: false, code: "multi-document" });
    expect(readField(two, target, "image")).toMatchObject({ ok: false, code: "multi-document" });
  });
});

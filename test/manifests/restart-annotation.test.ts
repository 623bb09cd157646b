import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { compareBranchEdit, editField, readField } from "../../src/manifests/index.js";
import { changedLines, edited, helm, kustomize } from "./helpers.js";

const AT = "2026-11-21T10:00:00Z";
const LATER = "2026-11-21T11:30:00Z";

describe("restart annotation: Helm values", () => {
  it("adds one line to an existing podAnnotations block map", () => {
    const text =
      'replicaCount: 3\npodAnnotations:\n  prometheus.io/scrape: "true" # scraped\nimage:\n  tag: 1.2.3\n';
    const out = edited(editField(text, helm(), "restart", AT));
    expect(out).toBe(
      'replicaCount: 3\npodAnnotations:\n  prometheus.io/scrape: "true" # scraped\n  remedy.dev/restarted-at: "2026-11-21T10:00:00Z"\nimage:\n  tag: 1.2.3\n',
    );
    expect(parse(out).podAnnotations["remedy.dev/restarted-at"]).toBe(AT);
  });

  it("replaces only the value when the annotation is there, keeping the quoting", () => {
    const text = "podAnnotations:\n  remedy.dev/restarted-at: '2026-11-20T09:00:00Z'\n  a: b\n";
    const out = edited(editField(text, helm(), "restart", AT));
    expect(changedLines(text, out)).toEqual([2]);
    expect(out).toContain("remedy.dev/restarted-at: '2026-11-21T10:00:00Z'");
    const read = readField(out, helm(), "restart");
    expect(read).toMatchObject({ ok: true, value: AT, form: "timestamp" });
  });

  it("turns podAnnotations: {} into a one-entry flow map on the same line", () => {
    const text = 'replicaCount: 2\npodAnnotations: {}\nimage:\n  tag: "1.10"\n';
    const out = edited(editField(text, helm(), "restart", AT));
    expect(changedLines(text, out)).toEqual([2]);
    expect(parse(out).podAnnotations).toEqual({ "remedy.dev/restarted-at": AT });
    expect(parse(out).image.tag).toBe("1.10");
  });

  it("uses restart_key for a nested map", () => {
    const text = "deployment:\n  podAnnotations:\n    x: y\n";
    const out = edited(editField(text, helm({ restartKey: "deployment.podAnnotations" }), "restart", AT));
    expect(parse(out).deployment.podAnnotations).toEqual({ x: "y", "remedy.dev/restarted-at": AT });
  });

  it("refuses a values file without the restart_key map, saying how to fix it", () => {
    const result = editField("replicaCount: 2\n", helm(), "restart", AT);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe("missing");
      expect(result.reason).toMatch(/podAnnotations does not exist.*restart_key/);
    }
  });

  it("refuses a map behind an alias and a value that is not an instant", () => {
    const aliased = "common: &ann\n  a: b\npodAnnotations: *ann\n";
    expect(editField(aliased, helm(), "restart", AT)).toMatchObject({ ok: false });
    const bad = editField("podAnnotations:\n  a: b\n", helm(), "restart", "now\nmalicious: true");
    expect(bad).toMatchObject({ ok: false, code: "invalid-value" });
  });

  it("refuses when the annotation already holds that instant", () => {
    const text = `podAnnotations:\n  remedy.dev/restarted-at: "${AT}"\n`;
    expect(editField(text, helm(), "restart", AT)).toMatchObject({ ok: false, code: "unchanged" });
  });
});

const OVERLAY = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  - name: ghcr.io/acme/checkout-api
    newTag: "1.4.2"
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout-api
spec:
  replicas: 2
  selector:
    matchLabels: { app: checkout-api }
  template:
    metadata:
      labels: { app: checkout-api }
    spec:
      containers:
        - name: app
          image: ghcr.io/acme/checkout-api:1.4.1
`;

describe("restart annotation: Kustomize commonAnnotations", () => {
  it("appends a commonAnnotations block when there is none; only lines are added", () => {
    const out = edited(editField(OVERLAY, kustomize(), "restart", AT));
    expect(out).toBe(`${OVERLAY}commonAnnotations:\n  remedy.dev/restarted-at: "${AT}"\n`);
  });

  it("adds to an existing commonAnnotations and then replaces the value", () => {
    const text = `${OVERLAY}commonAnnotations:\n  team: payments\n`;
    const first = edited(editField(text, kustomize(), "restart", AT));
    expect(parse(first).commonAnnotations).toEqual({ team: "payments", "remedy.dev/restarted-at": AT });
    const second = edited(editField(first, kustomize(), "restart", LATER));
    expect(changedLines(first, second)).toHaveLength(1);
    expect(parse(second).commonAnnotations["remedy.dev/restarted-at"]).toBe(LATER);
  });

  it("a branch holding exactly Remedy's restart edit is one field edit; anything more is not", () => {
    const head = edited(editField(OVERLAY, kustomize(), "restart", AT));
    const file = kustomize().file;
    expect(
      compareBranchEdit({
        target: kustomize(),
        field: "restart",
        changedFiles: [file],
        baseText: OVERLAY,
        headText: head,
      }),
    ).toEqual({ kind: "edit", before: "", value: AT });
    const more = head.replace('newTag: "1.4.2"', 'newTag: "6.6.6"');
    expect(
      compareBranchEdit({
        target: kustomize(),
        field: "restart",
        changedFiles: [file],
        baseText: OVERLAY,
        headText: more,
      }).kind,
    ).toBe("invalid");
  });

  const kubectl = (() => {
    try {
      execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!kubectl)("kubectl kustomize renders the annotation on the Deployment's pod template", () => {
    const dir = mkdtempSync(join(tmpdir(), "remedy-restart-"));
    mkdirSync(join(dir, "overlay"));
    writeFileSync(join(dir, "overlay", "deployment.yaml"), DEPLOYMENT);
    writeFileSync(
      join(dir, "overlay", "kustomization.yaml"),
      edited(editField(OVERLAY, kustomize(), "restart", AT)),
    );
    const rendered = execFileSync("kubectl", ["kustomize", join(dir, "overlay")], { encoding: "utf8" });
    const deployment = parseAllDocuments(rendered)
      .map(
        (d) =>
          d.toJS() as {
            kind?: string;
            spec?: { template?: { metadata?: { annotations?: Record<string, string> } } };
          },
      )
      .find((d) => d.kind === "Deployment");
    expect(deployment?.spec?.template?.metadata?.annotations?.["remedy.dev/restarted-at"]).toBe(AT);
  });
});

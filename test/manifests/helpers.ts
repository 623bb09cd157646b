import { readFileSync } from "node:fs";
import { expect } from "vitest";
import type { EditResult, ManifestTarget } from "../../src/manifests/index.js";

/** Reads a fixture copied from the example GitOps repository (scenarios/repos/acme). */
export function acme(path: string): string {
  return readFileSync(new URL(`./fixtures/acme/${path}`, import.meta.url), "utf8");
}

export function helm(overrides: Partial<ManifestTarget> = {}): ManifestTarget {
  return {
    kind: "helm",
    file: "values.yaml",
    workload: "api",
    replicasKey: "replicaCount",
    tagKey: "image.tag",
    ...overrides,
  };
}

export function kustomize(overrides: Partial<ManifestTarget> = {}): ManifestTarget {
  return {
    kind: "kustomize",
    file: "overlays/prod/kustomization.yaml",
    workload: "checkout-api",
    replicasKey: "replicaCount",
    tagKey: "image.tag",
    ...overrides,
  };
}

/** Asserts an edit succeeded and returns its text. */
export function edited(result: EditResult): string {
  if (!result.ok) throw new Error(`expected the edit to succeed, got ${result.code}: ${result.reason}`);
  return result.text;
}

/** The 1-based numbers of lines whose content differs; both texts must have the same number of lines. */
export function changedLines(before: string, after: string): number[] {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  expect(b.length).toBe(a.length);
  return a.flatMap((line, i) => (line === b[i] ? [] : [i + 1]));
}

/** Asserts `after` is `before` with lines inserted and nothing removed or changed. */
export function expectOnlyAddedLines(before: string, after: string): void {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  let j = 0;
  for (const line of a) {
    while (j < b.length && b[j] !== line) j++;
    expect(j, `line ${JSON.stringify(line)} must survive`).toBeLessThan(b.length);
    j++;
  }
}

/** Asserts a successful scalar edit changed exactly the line it reports, and returns the text. */
export function oneLineEdit(before: string, result: EditResult): string {
  const text = edited(result);
  if (!result.ok) throw new Error("unreachable");
  expect(changedLines(before, text)).toEqual([result.before.line]);
  return text;
}

/** An in-memory repository for the functions that read files. */
export function repo(files: Record<string, string>): (path: string) => Promise<string | null> {
  return async (path) => files[path] ?? null;
}

import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { AuditLedger, type AuditEvent } from "../../src/audit/index.js";
import { auditStats, percentile } from "../../src/audit/audit-stats.js";
import { event } from "../audit/events.js";
import { LocalGitLedgerBackend, makeRepo, removeDir } from "../audit/git-fixture.js";

const BIN = fileURLToPath(new URL("../../bin/remedy.js", import.meta.url));
const dirs: string[] = [];

function at(minutes: number, seconds = 0): string {
  return new Date(Date.UTC(2026, 10, 21, 10, minutes, seconds)).toISOString();
}

/** One PR's life: opened, optionally modified, reviewed after `approveAfter` seconds, then its end. */
function prLife(
  pr: number,
  environment: string,
  opts: { approveAfter: number; end: "merged" | "closed" | "open"; modified?: boolean; reverted?: boolean },
): AuditEvent[] {
  const base = { incident: 100 + pr, pr };
  const out: AuditEvent[] = [
    event("diagnosis", { ...base, pr: null, data: { environment, service: "checkout-api" } }),
    event("pr.opened", { ...base, at: at(pr), data: { environment, service: "checkout-api" } }),
  ];
  if (opts.modified)
    out.push(event("pr.updated", { ...base, at: at(pr, 1), data: { before: "6", after: "8" } }));
  out.push(
    event("review", {
      ...base,
      at: at(pr, opts.approveAfter),
      actor: "alice",
      data: { state: "approved", latencySeconds: opts.approveAfter },
    }),
  );
  if (opts.end === "merged") out.push(event("pr.merged", { ...base, at: at(pr, 30) }));
  if (opts.end === "closed") out.push(event("pr.closed", { ...base, at: at(pr, 30) }));
  if (opts.reverted)
    out.push(event("revert.opened", { ...base, pr: 900 + pr, data: { reverts: pr, opened: true } }));
  return out;
}

async function ledgerRepo(events: AuditEvent[]): Promise<string> {
  const dir = await makeRepo();
  dirs.push(dir);
  await new AuditLedger(new LocalGitLedgerBackend(dir)).append(events);
  return dir;
}

function remedy(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url))))
    throw new Error("run `npm run build` first: this test runs bin/remedy.js");
});

afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeDir));
});

describe("auditStats", () => {
  it("takes a PR's environment from pr.opened, else from its incident's diagnosis", () => {
    const stats = auditStats([
      { ...event("diagnosis", { data: { environment: "staging" } }), seq: 1, prev: "", hash: "" },
      { ...event("pr.opened", { pr: 3 }), seq: 2, prev: "", hash: "" },
    ]);
    expect(stats.environments.map((e) => [e.environment, e.opened])).toEqual([["staging", 1]]);
  });

  it("uses nearest-rank percentiles", () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe("remedy audit stats (process)", () => {
  it("prints per-environment figures as text and JSON, and no warning when review is real", async () => {
    const dir = await ledgerRepo([
      ...prLife(1, "prod", { approveAfter: 120, end: "merged", modified: true }),
      ...prLife(2, "prod", { approveAfter: 600, end: "closed" }),
      ...prLife(3, "prod", { approveAfter: 60, end: "merged", reverted: true }),
      ...prLife(4, "staging", { approveAfter: 5, end: "merged" }),
    ]);
    const text = await remedy("audit", "stats", "--repo", dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^prod$/m);
    expect(text.stdout).toMatch(/PRs opened\s+3/);
    expect(text.stdout).toMatch(/closed unmerged\s+1\s+rejection rate 33\.3%/);
    expect(text.stdout).toMatch(/modified before merge\s+1\s+modification rate 33\.3%/);
    expect(text.stdout).toMatch(/reverted\s+1/);
    expect(text.stdout).toMatch(/approval latency\s+p50 2m, p90 10m \(3 approved\)/);
    expect(text.stdout).not.toContain("ceremonial");

    // README's "Review statistics" example shows these four PRs: the figures it shows are these.
    const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");
    const shown = /^\$ npx remedy audit stats[^\n]*\n[^\n]*\n([\s\S]*?)^```$/m.exec(readme)?.[1];
    expect(shown, "README's audit stats example").toBeDefined();
    expect(text.stdout.split("\n").slice(1).join("\n")).toBe(shown);

    const json = await remedy("audit", "stats", "--repo", dir, "--json");
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.environments).toEqual([
      expect.objectContaining({
        environment: "prod",
        opened: 3,
        merged: 2,
        closed_unmerged: 1,
        modified_before_merge: 1,
        reverted: 1,
        approval_latency_seconds: { count: 3, p50: 120, p90: 600 },
        warnings: [],
      }),
      expect.objectContaining({ environment: "staging", opened: 1, warnings: [] }),
    ]);

    const since = await remedy("audit", "stats", "--repo", dir, "--json", "--since", at(3));
    expect(JSON.parse(since.stdout).environments.map((e: { opened: number }) => e.opened)).toEqual([1, 1]);
  });

  it("warns that review looks ceremonial over 20 fast, never rejected, never modified PRs", async () => {
    const lives = Array.from({ length: 20 }, (_, i) =>
      prLife(i + 1, "prod", { approveAfter: 3, end: "merged" }),
    ).flat();
    const dir = await ledgerRepo(lives);
    const text = await remedy("audit", "stats", "--repo", dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/warning: prod: review looks ceremonial \(20 PRs, approval p50 3s/);
    const json = JSON.parse((await remedy("audit", "stats", "--repo", dir, "--json")).stdout);
    expect(json.environments[0].warnings).toEqual(["review looks ceremonial"]);

    // One modification is a reviewer at work: no warning.
    const modified = await ledgerRepo([
      ...lives,
      ...prLife(21, "prod", { approveAfter: 3, end: "merged", modified: true }),
    ]);
    expect((await remedy("audit", "stats", "--repo", modified)).stdout).not.toContain("ceremonial");
  });

  it("answers --help with its usage and exit 0, and bad input with exit 2", async () => {
    const help = await remedy("audit", "stats", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: remedy audit stats \[--repo DIR\]/);
    expect((await remedy("--help")).stdout).toContain("remedy audit stats");
    const bad = await remedy("audit", "stats", "--since", "yesterday");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("not an ISO-8601 time");
    const missing = await remedy("audit", "stats", "--repo", "/nonexistent/remedy");
    expect(missing.code).toBe(2);
  });
});

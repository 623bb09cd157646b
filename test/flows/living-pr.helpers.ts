import { AuditLedger } from "../../src/audit/index.js";
import { silentLogger, type FlowDeps } from "../../src/flows/deps.js";
import { onIncidentIssue } from "../../src/flows/on-issue.js";
import { InMemoryForge } from "../../src/forge/memory/in-memory-forge.js";
import type { PullRequest } from "../../src/forge/forge.js";
import { MemoryStore } from "../../src/store/store.js";
import { ScriptedHealth } from "../../src/verification/scripted-health.js";
import { CHECKOUT_PROD, fixtureFiles } from "../core/fixture-repo.js";

export const BOT = "remedy[bot]";
export const FILE = "manifests/checkout-api/overlays/prod/kustomization.yaml";

/** A repository with one open Remedy PR scaling checkout-api in prod 4 → 6 (runbook "+2"). */
export async function withRemedyPr(
  now = "2026-11-21T10:00:00Z",
  options: { files?: Record<string, string>; issue?: { title: string; author: string } } = {},
) {
  let clock = Date.parse(now);
  const iso = () => new Date(clock).toISOString();
  const forge = new InMemoryForge({
    now: iso,
    botLogin: BOT,
    permissions: { oncall: "write", lead: "admin", visitor: "read" },
  });
  forge.seedCommit(
    "main",
    { ...fixtureFiles(), [FILE]: CHECKOUT_PROD, ...options.files },
    "initial",
    "2026-11-20T10:00:00Z",
  );
  const health = new ScriptedHealth({});
  const deps: FlowDeps = {
    forge,
    audit: new AuditLedger(forge.ledger, { sleep: async () => undefined }),
    store: new MemoryStore(),
    now: iso,
    log: silentLogger,
    botLogin: BOT,
    health: () => ({ health, rollout: health }),
  };
  const issue = forge.openIssueAs(options.issue?.author ?? "oncall", {
    title: options.issue?.title ?? "checkout-api prod: p99 latency high, scale up",
    body: "",
    labels: ["incident"],
  });
  await onIncidentIssue(deps, issue);
  const pr = forge.pullRequests[0] as PullRequest;
  if (pr === undefined) throw new Error("no Remedy PR was opened");
  const advance = (seconds: number) => (clock += seconds * 1000);
  const kinds = async () => (await deps.audit.entries()).map((e) => e.kind);
  const policyRuns = () => forge.checkRuns.filter((r) => r.name === "remedy/policy");
  return { forge, deps, issue, pr, advance, kinds, policyRuns };
}

export function withCount(text: string, count: number): string {
  return text.replace(/count: \d+/, `count: ${count}`);
}

import type { FlowDeps } from "../flows/deps.js";
import { POLICY_CHECK } from "../flows/open-proposal.js";
import { ownPlan } from "../flows/own-plan.js";
import type { InMemoryForge } from "../forge/memory/in-memory-forge.js";
import { readField } from "../manifests/index.js";
import type { RecordedWrite } from "./recording-forge.js";
import type { Scenario } from "./scenario-schema.js";

/** Remedy's first PR as it stands after the last step: what the v2 `expect` fields are judged on. */
export interface FinalState {
  pr: number;
  state: "open" | "draft" | "closed" | "merged";
  /** Conclusion of the newest `remedy/policy` run on the PR's current head (its status while running). */
  policyCheck: string;
  /** Labels on the PR and on the incident issue. */
  labels: string[];
  autoMerge: boolean;
  /** The branch's diff against its merge base, read through Remedy's own plan of the PR. */
  change: { files: string[]; field: string | null; from: string | null; to: string | null; why?: string };
}

/** Reads the first PR's state from the forge once every step has been played. */
export async function observeFinal(
  deps: FlowDeps,
  forge: InMemoryForge,
  prNumber: number | null,
  incident: number | null,
): Promise<FinalState | null> {
  if (prNumber === null) return null;
  const pr = await forge.getPullRequest(prNumber);
  if (pr === null) return null;
  const head = (await forge.branchHead(pr.head)) ?? pr.mergeSha ?? "";
  const run = (await forge.listCheckRuns(head, POLICY_CHECK))[0];
  const issue = incident === null ? null : await forge.getIssue(incident);
  const comparison = await forge.compare(pr.base, head);
  const own = await ownPlan(deps, pr);
  let change: FinalState["change"] = { files: comparison.files, field: null, from: null, to: null };
  if (own.status !== "own") change.why = `Remedy does not vouch for the PR's plan: ${own.why}`;
  else {
    const { plan } = own;
    const onBranch = new Set(comparison.commits.map((c) => c.sha));
    const versions = await forge.fileHistory(plan.target.file, 1000, head);
    const atBase = versions.find((v) => !onBranch.has(v.sha))?.content ?? null;
    const atHead = await forge.readFile(plan.target.file, head);
    const value = (text: string | null) => {
      if (text === null) return null;
      const read = readField(text, plan.target, plan.field);
      return read.ok ? read.value : null;
    };
    // An overlay without its own replicas entry reads its base value from elsewhere: Remedy's record.
    change = { ...change, field: plan.field, from: value(atBase) ?? plan.before, to: value(atHead) };
  }
  return {
    pr: pr.number,
    state: pr.merged ? "merged" : pr.state === "closed" ? "closed" : pr.draft ? "draft" : "open",
    policyCheck: run === undefined ? "none" : (run.conclusion ?? run.status),
    labels: [...new Set([...pr.labels, ...(issue?.labels ?? [])])],
    autoMerge: forge.autoMerge.has(pr.number),
    change,
  };
}

export interface StepsJudgement {
  forge: InMemoryForge;
  final: FinalState | null;
  writes: RecordedWrite[];
  ledgerKinds: string[];
  problems: string[];
}

export type Differ = (what: string, expected: unknown, actual: unknown) => void;

/** The v2 `expect` fields, judged exactly as the scenarios README says. Pushes failures. */
export function judgeSteps(
  scenario: Scenario,
  run: StepsJudgement,
  differ: Differ,
  failures: string[],
): void {
  const { expect } = scenario;
  const { final } = run;
  failures.push(...run.problems);
  const noPr = (what: string) => failures.push(`${what}: Remedy opened no PR`);
  if (expect.policy_check !== undefined) {
    if (final === null) noPr("policy_check");
    else differ("policy_check", expect.policy_check, final.policyCheck);
  }
  if (expect.pr !== undefined) {
    if (final === null) noPr("pr");
    else differ("pr", expect.pr, final.state);
  }
  if (expect.labels_include !== undefined) {
    const labels = final?.labels ?? [];
    const missing = expect.labels_include.filter((l) => !labels.includes(l));
    if (missing.length > 0)
      failures.push(`labels_include: missing ${missing.join(", ")} (got ${labels.join(", ") || "none"})`);
  }
  if (expect.prs !== undefined)
    differ("prs", expect.prs, run.forge.writes.filter((w) => w.kind === "pr").length);
  if (expect.ledger_includes !== undefined) {
    const missing = expect.ledger_includes.filter((k) => !run.ledgerKinds.includes(k));
    if (missing.length > 0)
      failures.push(
        `ledger_includes: missing ${missing.join(", ")} (the ledger has ${[...new Set(run.ledgerKinds)].join(", ") || "nothing"})`,
      );
  }
  if (expect.auto_merge !== undefined) {
    if (final === null) noPr("auto_merge");
    else differ("auto_merge", expect.auto_merge, final.autoMerge);
  }
}

/** The first PR's single edit as it stands: one file, the expected field, from and to. */
export function judgeFinalChange(
  expected: NonNullable<Scenario["expect"]["change"]>,
  change: FinalState["change"],
  differ: Differ,
  failures: string[],
): void {
  if (change.files.length !== 1)
    failures.push(
      `change.file: expected the one file ${expected.file}, the PR changes ${change.files.length === 0 ? "nothing" : change.files.join(", ")}`,
    );
  else differ("change.file", expected.file, change.files[0]);
  if (change.why !== undefined) failures.push(`change: ${change.why}`);
  else differ("change.field", expected.field, change.field);
  if (expected.from !== undefined) differ("change.from", expected.from, change.from);
  if (expected.to !== undefined) differ("change.to", expected.to, change.to);
}

/** `never: writes_after_step: N`: Remedy wrote nothing but comments and check runs after step N. */
export function writesAfterStep(step: number, writes: readonly RecordedWrite[]): string[] {
  return writes
    .filter((w) => w.step > step && !w.minor)
    .map((w) => `never writes after step ${step}: in step ${w.step} Remedy called ${w.detail}`);
}

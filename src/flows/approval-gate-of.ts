import type { LedgerEntry } from "../audit/index.js";
import type { CheckRunInput, PullRequest } from "../forge/forge.js";
import type { Plan } from "../proposal/plan.js";
import { approvalGate, type ApprovalGate } from "../policy/separate-approver.js";
import { canAct } from "../signals/role.js";
import type { FlowDeps } from "./deps.js";

/** People who chose the value of PR `pr`, from the ledger: who named it, `/set` authors and pushers. */
export function requestersOf(
  entries: readonly LedgerEntry[],
  pr: number,
  repo: string,
  botLogin: string,
): string[] {
  const people = new Set<string>();
  const add = (login: unknown) => {
    if (typeof login === "string" && login !== botLogin && login !== "remedy" && login !== "github")
      people.add(login);
  };
  for (const e of entries) {
    if (e.pr !== pr || e.repo !== repo) continue;
    if (e.kind === "pr.opened" && Array.isArray(e.data.requestedBy)) e.data.requestedBy.forEach(add);
    if (e.kind === "pr.updated") {
      if (typeof e.data.via === "string") add(e.data.by);
      if (Array.isArray(e.data.pushers)) e.data.pushers.forEach(add);
    }
  }
  return [...people];
}

/**
 * The separation-of-duties gate of a Remedy PR now (SPEC §3.3): who chose the value, and which
 * approvals recorded in the ledger count (others', with write permission, after the last change).
 */
export async function approvalGateOf(
  deps: FlowDeps,
  pr: PullRequest,
  plan: Plan,
  required: boolean,
  entries: readonly LedgerEntry[],
): Promise<ApprovalGate> {
  const repo = deps.forge.repo;
  const requesters = requestersOf(entries, pr.number, repo, deps.botLogin);
  if (!required || requesters.length === 0) return { applies: false };
  const mine = entries.filter((e) => e.pr === pr.number && e.repo === repo);
  const lastChange = Math.max(
    0,
    ...mine
      .filter(
        (e) =>
          e.kind === "pr.updated" &&
          (typeof e.data.via === "string" || (Array.isArray(e.data.pushers) && e.data.pushers.length > 0)),
      )
      .map((e) => e.seq),
  );
  const latest = new Map<string, LedgerEntry>();
  for (const e of mine)
    if (e.kind === "review" && typeof e.data.reviewer === "string") latest.set(e.data.reviewer, e);
  const reviews = await Promise.all(
    [...latest.entries()].map(async ([reviewer, e]) => ({
      reviewer,
      state: String(e.data.state),
      afterLastChange: e.seq > lastChange,
      canApprove: e.data.state === "approved" && canAct(await deps.forge.permission(reviewer)),
    })),
  );
  return approvalGate({
    required,
    approvals: plan.approvals,
    requesters,
    reviews,
    reviewers: plan.reviewers,
  });
}

/** A passing `remedy/policy` run stays in progress while the gate waits, naming who may approve. */
export function gateCheckRun(run: CheckRunInput, gate: ApprovalGate): CheckRunInput {
  if (!gate.applies || run.conclusion !== "success") return run;
  if (gate.satisfied) return { ...run, summary: `${run.summary}\n\n${gate.detail}` };
  const { conclusion: _conclusion, ...rest } = run;
  void _conclusion;
  return {
    ...rest,
    status: "in_progress",
    title: "Waiting for an approval from someone other than who chose the value",
    summary: `${run.summary}\n\n${gate.detail}`,
  };
}

import type { LedgerEntry } from "../audit/index.js";
import type { PullRequest } from "../forge/forge.js";
import { hasPlanBlock, parsePacket } from "../proposal/approval-packet.js";
import type { Plan } from "../proposal/plan.js";
import { planHash } from "../proposal/plan-hash.js";
import type { FlowDeps } from "./deps.js";

/** Ledger kinds whose `data.planHash` records a plan block Remedy wrote into a PR body. */
const PLAN_WRITES = new Set(["pr.opened", "revert.opened", "pr.updated"]);

export type OwnPlan =
  | { status: "own"; plan: Plan }
  /** Not Remedy's PR at all (no block, or someone else opened it): ignore it as a Remedy PR. */
  | { status: "foreign"; why: string }
  /** Remedy's PR whose block Remedy cannot vouch for (edited, or never recorded): refuse and say so. */
  | { status: "tampered"; why: string };

/**
 * The plan of a PR, trusted only if Remedy wrote it (SPEC §1 invariant 6): the PR was opened by
 * Remedy's own App identity, its block validates, and the ledger's latest plan record for that PR
 * holds the block's hash. A plan block in anyone else's PR, or one edited after Remedy wrote it, is
 * never acted on.
 */
export async function ownPlan(
  deps: FlowDeps,
  pr: PullRequest,
  entries?: readonly LedgerEntry[],
): Promise<OwnPlan> {
  if (!hasPlanBlock(pr.body)) return { status: "foreign", why: "it has no Remedy plan block" };
  if (pr.author !== deps.botLogin)
    return {
      status: "foreign",
      why: `it was opened by @${pr.author}, not by Remedy's App (${deps.botLogin})`,
    };
  const plan = parsePacket(pr.body);
  if (plan === null) return { status: "tampered", why: "its plan block does not validate" };
  if (plan.repo !== deps.forge.repo)
    return { status: "tampered", why: `its plan block names another repository (${plan.repo})` };
  const recorded = latestPlanHash(entries ?? (await deps.audit.entries()), pr.number);
  if (recorded === null) return { status: "tampered", why: "the audit ledger holds no plan for this PR" };
  if (recorded !== planHash(plan))
    return {
      status: "tampered",
      why: "its plan block differs from the one Remedy recorded in the audit ledger (the PR body was edited)",
    };
  return { status: "own", plan };
}

/** The hash of the last plan Remedy wrote into PR `pr`, from the ledger; null when none is recorded. */
export function latestPlanHash(entries: readonly LedgerEntry[], pr: number): string | null {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i] as LedgerEntry;
    if (entry.pr !== pr || !PLAN_WRITES.has(entry.kind)) continue;
    const hash = entry.data.planHash;
    if (typeof hash === "string") return hash;
  }
  return null;
}

/** The comment Remedy leaves on its own PR when it refuses to act on an untrustworthy block. */
export function refusalFor(action: string, why: string): string {
  return `### Remedy will not ${action}\nRemedy acts only on plans it wrote itself, and ${why}. Nothing was done. If the change is still wanted, close this PR and comment \`/diagnose\` on the incident so Remedy plans it again.`;
}

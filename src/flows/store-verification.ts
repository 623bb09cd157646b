import type { AuditKind } from "../audit/index.js";
import type { PullRequest } from "../forge/forge.js";
import type { Plan } from "../proposal/plan.js";
import type { VerificationRecord } from "../store/store.js";
import type { VerdictState } from "../verification/verdict-state.js";
import { auditSteps } from "./audit-step.js";
import type { FlowDeps } from "./deps.js";
import { verificationRecord } from "./verification-record.js";

/** A ledger step of a verification; it lands on the plan's incident, the PR and the merge commit. */
export interface VerificationStep {
  kind: AuditKind;
  actor: string;
  data: Record<string, unknown>;
}

/**
 * A verification begins (or resumes after a lost store): its record is stored, so the scheduler
 * ticks it and a restart finds it, and the ledger says how it began.
 */
export async function storeVerification(
  deps: FlowDeps,
  pr: PullRequest & { mergeSha: string },
  plan: Plan,
  state: { installationId: number | null; checkRunId: number | null; verdict: VerdictState },
  steps: VerificationStep[],
): Promise<VerificationRecord> {
  const record = verificationRecord(deps, pr, plan, state);
  await deps.store.saveVerification(record);
  await auditSteps(
    deps,
    steps.map((step) => ({ ...step, incident: plan.incident, pr: pr.number, sha: pr.mergeSha })),
  );
  return record;
}

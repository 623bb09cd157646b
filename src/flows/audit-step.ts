import type { AuditKind, LedgerEntry } from "../audit/index.js";
import { redactSecrets } from "../audit/index.js";
import type { FlowDeps } from "./deps.js";

export interface AuditStep {
  kind: AuditKind;
  incident: number | null;
  pr?: number | null;
  sha?: string | null;
  actor: string;
  data: Record<string, unknown>;
}

/**
 * Appends steps to the ledger. The ledger is evidence, not a gate: a failed append is logged and the
 * incident goes on, because blocking a fix on bookkeeping would be the worse failure at 3 AM. The one
 * exception is an append that later trust rests on (`mustLand`: the record of a plan Remedy wrote,
 * without which Remedy will not act on its own PR): that one throws, so the work is retried.
 */
export async function auditSteps(
  deps: FlowDeps,
  steps: AuditStep[],
  options: { mustLand?: boolean } = {},
): Promise<LedgerEntry[]> {
  try {
    return await deps.audit.append(
      steps.map((step) => ({
        at: deps.now(),
        kind: step.kind,
        repo: deps.forge.repo,
        incident: step.incident,
        pr: step.pr ?? null,
        sha: step.sha ?? null,
        actor: step.actor,
        data: redactSecrets(step.data),
      })),
    );
  } catch (error) {
    deps.log.error({ err: error, kinds: steps.map((s) => s.kind) }, "audit append failed");
    if (options.mustLand === true) throw error;
    return [];
  }
}

import type { PullRequest } from "../forge/forge.js";
import type { Plan } from "../proposal/plan.js";
import type { VerificationRecord } from "../store/store.js";
import { beforeFigures } from "../verification/before-figures.js";
import { verificationId } from "../verification/verification-id.js";
import type { VerdictState } from "../verification/verdict-state.js";
import type { FlowDeps } from "./deps.js";

/** A verification as the store keeps it, for a merged PR with a plan block. */
export function verificationRecord(
  deps: FlowDeps,
  pr: PullRequest & { mergeSha: string },
  plan: Plan,
  state: { installationId: number | null; checkRunId: number | null; verdict: VerdictState },
): VerificationRecord {
  return {
    id: verificationId(deps.forge.repo, pr.number),
    repo: deps.forge.repo,
    installationId: state.installationId,
    pr: pr.number,
    mergeSha: pr.mergeSha,
    checkRunId: state.checkRunId,
    incident: plan.incident,
    plan,
    before: beforeFigures(pr.body, plan),
    verdict: state.verdict,
  };
}

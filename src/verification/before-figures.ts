import { evidenceFigures } from "../proposal/approval-packet.js";
import type { Plan } from "../proposal/plan.js";
import { isRolloutCheck } from "./verify-spec.js";

/** The metric figures the approval packet recorded at diagnosis: the "before" of before/after. */
export function beforeFigures(body: string, plan: Plan): Record<string, number | null> {
  return evidenceFigures(
    body,
    new Set(plan.verify.checks.filter((c) => !isRolloutCheck(c)).map((c) => c.name)),
  );
}

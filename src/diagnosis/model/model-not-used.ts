import type { Diagnosis } from "../match-runbooks.js";

/** The deterministic result, saying in the packet why the model did not decide. */
export function modelNotUsed(rules: Diagnosis, model: string, reason: string): Diagnosis {
  return {
    ...rules,
    decidedBy: "rules",
    model: { name: model, outcome: "not-used", reason },
    explanation: `${rules.explanation} (model ${model} not used: ${reason})`,
  };
}

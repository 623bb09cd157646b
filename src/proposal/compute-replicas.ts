/** Applies a runbook's replica rule ("+2", "-1", "x2", 6) to the current count. */
export function computeReplicas(current: number, rule: string | number): number {
  if (typeof rule === "number") return rule;
  if (rule.startsWith("+")) return current + Number(rule.slice(1));
  if (rule.startsWith("-")) return Math.max(0, current - Number(rule.slice(1)));
  if (rule.startsWith("x")) return Math.ceil(current * Number(rule.slice(1)));
  return Number(rule);
}

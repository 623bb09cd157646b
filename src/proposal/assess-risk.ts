import type { PlanAction, Risk } from "./plan.js";

export interface RiskInput {
  action: PlanAction;
  environment: string;
  field: "replicas" | "image" | "restart";
  before: string;
  after: string;
  freezeException: string | null;
  truncatedAlerts: number;
  isRevert: boolean;
  /** The runbook's reason when its action is `reversible: false`. */
  irreversible?: string;
}

const TIERS: Risk[] = ["low", "medium", "high"];

/**
 * A coarse tier for reviewers: production, new code and capacity removal raise it; restoring a
 * known-good value lowers it. Flags say why, so the tier is never a bare label.
 */
export function assessRisk(input: RiskInput): { risk: Risk; flags: string[] } {
  const flags: string[] = [];
  const prod = input.environment === "prod" || input.environment === "production";
  let tier = prod ? 1 : 0;
  if (prod) flags.push("production");
  if (input.action === "set-image") {
    tier += 1;
    flags.push("new image: code that has not run in this environment");
  }
  if (input.action === "rollback-image" || input.isRevert) {
    tier = Math.max(0, tier - (input.isRevert ? 1 : 0));
    flags.push(
      input.isRevert ? "revert to the value deployed before" : "rollback to a previously deployed tag",
    );
  }
  if (input.action === "restart")
    flags.push("rolling restart: every pod of the workload is replaced; what they run does not change");
  if (input.field === "replicas" && Number(input.after) < Number(input.before)) {
    tier += 1;
    flags.push("removes capacity");
  }
  if (input.freezeException !== null) {
    tier += 1;
    flags.push(`freeze exception: ${input.freezeException}`);
  }
  if (input.irreversible !== undefined && !input.isRevert) {
    tier += 1;
    flags.push(`irreversible: a rollback needs a human (${input.irreversible})`);
  }
  if (input.truncatedAlerts > 0)
    flags.push(`${input.truncatedAlerts} alerts truncated by Alertmanager: evidence is incomplete`);
  return { risk: TIERS[Math.min(tier, 2)] as Risk, flags };
}

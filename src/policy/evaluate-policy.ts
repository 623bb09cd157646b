import type { AutoMergeRule, ChangeAction, Policy } from "./policy-schema.js";

/** SPEC §3.3: `restart.max_per_hour` defaults to 3 per service and environment. */
export const DEFAULT_RESTARTS_PER_HOUR = 3;

export interface ProposedChange {
  service: string;
  environment: string;
  action: ChangeAction;
  field: "replicas" | "image" | "restart";
  before: string;
  after: string;
  /** The image repository the new tag belongs to (for registry rules). */
  imageRepository?: string;
  /** A revert restores a value that was deployed before: freeze and rate limits do not hold it back. */
  revert?: boolean;
}

export interface PolicyContext {
  now: string;
  /** Remedy PRs opened recently (any state), for the rate limit. */
  recentPrs: ReadonlyArray<{ service: string; environment: string; openedAt: string; action?: string }>;
}

export interface RuleResult {
  rule: string;
  result: "pass" | "fail";
  detail: string;
}

export interface PolicyResult {
  decision: "propose" | "deny";
  rules: RuleResult[];
  approvals: number;
  reviewers: string[];
  /** The policy's rule; whether it applies depends on the plan's risk (autoMergeAllowed). */
  autoMerge: AutoMergeRule;
  /** Set when a freeze window is in force but this action is one of its exceptions. */
  freezeException: string | null;
  /** The environment's `separate_approver`: a requester's own approval does not count. */
  separateApprover: boolean;
}

/**
 * Decides whether a concrete change may be proposed. Every rule is evaluated and reported, so a denial
 * lists everything that refused it. Values are never adjusted to make them pass.
 */
export function evaluatePolicy(
  policy: Policy,
  change: ProposedChange,
  owners: readonly string[],
  context: PolicyContext,
): PolicyResult {
  const rules: RuleResult[] = [];
  const check = (rule: string, ok: boolean, detail: string) =>
    rules.push({ rule, result: ok ? "pass" : "fail", detail });
  const env = policy.environments[change.environment];
  const action = env?.actions[change.action];
  let freezeException: string | null = null;

  if (env === undefined) {
    check(
      "environment",
      false,
      `no policy covers environment ${change.environment}: add environments.${change.environment} to a file in policies/`,
    );
  } else if (action === undefined || !action.allow) {
    check(
      "action",
      false,
      `${change.action} is not allowed in ${change.environment} (environments.${change.environment}.actions.${change.action}.allow)`,
    );
  } else {
    check("action", true, `${change.action} is allowed in ${change.environment}`);
  }

  if (action !== undefined && change.field === "replicas") {
    const before = Number(change.before);
    const after = Number(change.after);
    if (action.min_replicas !== undefined)
      check(
        "min_replicas",
        after >= action.min_replicas,
        `${after} ${after >= action.min_replicas ? "≥" : "<"} min ${action.min_replicas}`,
      );
    if (action.max_replicas !== undefined)
      check(
        "max_replicas",
        after <= action.max_replicas,
        `${after} ${after <= action.max_replicas ? "≤" : ">"} max ${action.max_replicas}`,
      );
    if (action.max_step !== undefined && Number.isFinite(before)) {
      const step = Math.abs(after - before);
      check(
        "max_step",
        step <= action.max_step,
        `step ${step} (${before} → ${after}) ${step <= action.max_step ? "≤" : ">"} max ${action.max_step}`,
      );
    }
  }

  if (action !== undefined && action.allow && change.action === "restart" && !change.revert) {
    const now = Date.parse(context.now);
    const restarts = context.recentPrs.filter(
      (pr) =>
        pr.action === "restart" &&
        pr.service === change.service &&
        pr.environment === change.environment &&
        Date.parse(pr.openedAt) > now - 3_600_000 &&
        Date.parse(pr.openedAt) <= now,
    ).length;
    const limit = action.max_per_hour ?? DEFAULT_RESTARTS_PER_HOUR;
    check(
      "restart.max_per_hour",
      restarts < limit,
      `${restarts} Remedy restart${restarts === 1 ? "" : "s"} of ${change.service} in ${change.environment} in the last hour (limit ${limit})`,
    );
  }

  if (action?.registries !== undefined && change.field === "image" && !change.revert) {
    const repository = change.imageRepository;
    const allowed =
      repository !== undefined && action.registries.some((prefix) => repository.startsWith(prefix));
    check(
      "registries",
      allowed,
      repository === undefined
        ? "the image repository is unknown, so its registry cannot be checked"
        : `${repository} ${allowed ? "is" : "is not"} in ${action.registries.join(", ")}`,
    );
  }

  if (env !== undefined && !change.revert) {
    const now = Date.parse(context.now);
    for (const window of env.freeze) {
      if (now < Date.parse(window.from) || now > Date.parse(window.to)) continue;
      if (window.except.includes(change.action)) {
        freezeException = `${window.reason} (${window.from} – ${window.to}) allows ${change.action}`;
        check("freeze", true, `freeze "${window.reason}" is in force but excepts ${change.action}`);
      } else {
        check("freeze", false, `freeze "${window.reason}" is in force from ${window.from} to ${window.to}`);
      }
    }
    if (!rules.some((r) => r.rule === "freeze")) check("freeze", true, "no freeze window in force");

    if (env.rate_limit !== undefined) {
      const hourAgo = now - 3_600_000;
      const recent = context.recentPrs.filter(
        (pr) =>
          pr.service === change.service &&
          pr.environment === change.environment &&
          Date.parse(pr.openedAt) > hourAgo &&
          Date.parse(pr.openedAt) <= now,
      ).length;
      const limit = env.rate_limit.prs_per_service_per_hour;
      check(
        "rate_limit",
        recent < limit,
        `${recent} Remedy PR${recent === 1 ? "" : "s"} for ${change.service} in ${change.environment} in the last hour (limit ${limit})`,
      );
    }
  }

  const reviewers = [...new Set([...(env?.reviewers ?? []), ...owners])];
  return {
    decision: rules.some((r) => r.result === "fail") ? "deny" : "propose",
    rules,
    approvals: action?.approvals ?? 1,
    reviewers,
    autoMerge: env?.auto_merge ?? false,
    freezeException,
    separateApprover: env?.separate_approver ?? false,
  };
}

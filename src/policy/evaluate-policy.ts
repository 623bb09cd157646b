import type {
  ActionRule,
  AutoMergeRule,
  ChangeAction,
  EnvironmentPolicy,
  FreezeWindow,
  Policy,
} from "./policy-schema.js";

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
  const env = policy.environments[change.environment];
  const action = env?.actions[change.action];
  const input: RuleInput = { change, context, env, action, now: Date.parse(context.now) };
  const rules = POLICY_RULES.flatMap((rule) => rule(input));
  return {
    decision: rules.some((r) => r.result === "fail") ? "deny" : "propose",
    rules,
    approvals: action?.approvals ?? 1,
    reviewers: [...new Set([...(env?.reviewers ?? []), ...owners])],
    autoMerge: env?.auto_merge ?? false,
    freezeException: freezeException(input),
    separateApprover: env?.separate_approver ?? false,
  };
}

interface RuleInput {
  change: ProposedChange;
  context: PolicyContext;
  env: EnvironmentPolicy | undefined;
  action: ActionRule | undefined;
  /** `context.now` in epoch milliseconds. */
  now: number;
}

/** One policy rule: the results it reports (none when it does not apply to this change). */
type PolicyRule = (input: RuleInput) => RuleResult[];

const HOUR_MS = 3_600_000;

function result(rule: string, ok: boolean, detail: string): RuleResult {
  return { rule, result: ok ? "pass" : "fail", detail };
}

/** The rules in the order the packet lists them. */
const POLICY_RULES: readonly PolicyRule[] = [
  actionAllowed,
  minReplicas,
  maxReplicas,
  maxStep,
  restartsPerHour,
  registries,
  freeze,
  rateLimit,
];

function actionAllowed({ change, env, action }: RuleInput): RuleResult[] {
  if (env === undefined)
    return [
      result(
        "environment",
        false,
        `no policy covers environment ${change.environment}: add environments.${change.environment} to a file in policies/`,
      ),
    ];
  if (action === undefined || !action.allow)
    return [
      result(
        "action",
        false,
        `${change.action} is not allowed in ${change.environment} (environments.${change.environment}.actions.${change.action}.allow)`,
      ),
    ];
  return [result("action", true, `${change.action} is allowed in ${change.environment}`)];
}

/** The replica count after the change, when the change sets replicas under an action rule. */
function replicaBounds({ change, action }: RuleInput): { action: ActionRule; after: number } | null {
  if (action === undefined || change.field !== "replicas") return null;
  return { action, after: Number(change.after) };
}

function minReplicas(input: RuleInput): RuleResult[] {
  const bounds = replicaBounds(input);
  const min = bounds?.action.min_replicas;
  if (bounds === null || min === undefined) return [];
  const ok = bounds.after >= min;
  return [result("min_replicas", ok, `${bounds.after} ${ok ? "≥" : "<"} min ${min}`)];
}

function maxReplicas(input: RuleInput): RuleResult[] {
  const bounds = replicaBounds(input);
  const max = bounds?.action.max_replicas;
  if (bounds === null || max === undefined) return [];
  const ok = bounds.after <= max;
  return [result("max_replicas", ok, `${bounds.after} ${ok ? "≤" : ">"} max ${max}`)];
}

function maxStep(input: RuleInput): RuleResult[] {
  const bounds = replicaBounds(input);
  const limit = bounds?.action.max_step;
  const before = Number(input.change.before);
  if (bounds === null || limit === undefined || !Number.isFinite(before)) return [];
  const step = Math.abs(bounds.after - before);
  const ok = step <= limit;
  return [
    result("max_step", ok, `step ${step} (${before} → ${bounds.after}) ${ok ? "≤" : ">"} max ${limit}`),
  ];
}

function restartsPerHour(input: RuleInput): RuleResult[] {
  const { change, action } = input;
  if (action === undefined || !action.allow || change.action !== "restart" || change.revert) return [];
  const restarts = prsInLastHour(input, (pr) => pr.action === "restart");
  const limit = action.max_per_hour ?? DEFAULT_RESTARTS_PER_HOUR;
  return [
    result(
      "restart.max_per_hour",
      restarts < limit,
      `${restarts} Remedy restart${restarts === 1 ? "" : "s"} of ${change.service} in ${change.environment} in the last hour (limit ${limit})`,
    ),
  ];
}

function registries({ change, action }: RuleInput): RuleResult[] {
  if (action?.registries === undefined || change.field !== "image" || change.revert) return [];
  const repository = change.imageRepository;
  const allowed =
    repository !== undefined && action.registries.some((prefix) => repository.startsWith(prefix));
  return [
    result(
      "registries",
      allowed,
      repository === undefined
        ? "the image repository is unknown, so its registry cannot be checked"
        : `${repository} ${allowed ? "is" : "is not"} in ${action.registries.join(", ")}`,
    ),
  ];
}

/** The environment's freeze windows in force now; none for a revert, which freezes do not hold back. */
function freezesInForce({ change, env, now }: RuleInput): FreezeWindow[] {
  if (env === undefined || change.revert) return [];
  // Written as "not outside" so a window whose bounds do not parse stays in force (fails closed).
  return env.freeze.filter((w) => !(now < Date.parse(w.from) || now > Date.parse(w.to)));
}

function freeze(input: RuleInput): RuleResult[] {
  const { change, env } = input;
  if (env === undefined || change.revert) return [];
  const results = freezesInForce(input).map((window) =>
    window.except.includes(change.action)
      ? result("freeze", true, `freeze "${window.reason}" is in force but excepts ${change.action}`)
      : result("freeze", false, `freeze "${window.reason}" is in force from ${window.from} to ${window.to}`),
  );
  return results.length > 0 ? results : [result("freeze", true, "no freeze window in force")];
}

/** The last freeze in force that excepts this action, as the packet names it. */
function freezeException(input: RuleInput): string | null {
  const { change } = input;
  const excepting = freezesInForce(input).filter((w) => w.except.includes(change.action));
  const window = excepting.at(-1);
  return window === undefined
    ? null
    : `${window.reason} (${window.from} – ${window.to}) allows ${change.action}`;
}

function rateLimit(input: RuleInput): RuleResult[] {
  const { change, env } = input;
  if (env?.rate_limit === undefined || change.revert) return [];
  const recent = prsInLastHour(input, () => true);
  const limit = env.rate_limit.prs_per_service_per_hour;
  return [
    result(
      "rate_limit",
      recent < limit,
      `${recent} Remedy PR${recent === 1 ? "" : "s"} for ${change.service} in ${change.environment} in the last hour (limit ${limit})`,
    ),
  ];
}

/** Remedy PRs for the change's service and environment opened in the hour up to now. */
function prsInLastHour(
  { change, context, now }: RuleInput,
  also: (pr: PolicyContext["recentPrs"][number]) => boolean,
): number {
  return context.recentPrs.filter(
    (pr) =>
      also(pr) &&
      pr.service === change.service &&
      pr.environment === change.environment &&
      Date.parse(pr.openedAt) > now - HOUR_MS &&
      Date.parse(pr.openedAt) <= now,
  ).length;
}

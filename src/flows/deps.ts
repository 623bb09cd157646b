import type { AuditLedger } from "../audit/index.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { Forge } from "../forge/forge.js";
import type { Plan } from "../proposal/plan.js";
import type { Store } from "../store/store.js";
import type { HealthSources } from "../verification/health-source.js";
import type { Diagnoser, EvidenceSource } from "../diagnosis/diagnoser.js";
import type { Notifier } from "../notify/notification.js";

export interface Logger {
  info(meta: Record<string, unknown>, message: string): void;
  warn(meta: Record<string, unknown>, message: string): void;
  error(meta: Record<string, unknown>, message: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export type { HealthSources } from "../verification/health-source.js";

/** The ports a flow may use. Each adapter (GitHub App, eval, simulate, tests) supplies its own. */
export interface FlowDeps {
  forge: Forge;
  audit: AuditLedger;
  store: Store;
  now: () => string;
  log: Logger;
  /** The bot's own login, so Remedy ignores itself. */
  botLogin: string;
  health: (config: RepoConfig, plan: Plan) => HealthSources;
  evidence?: (config: RepoConfig) => EvidenceSource | undefined;
  diagnoser?: (config: RepoConfig) => Diagnoser | undefined;
  /**
   * `REMEDY_MODE` when it is not "on": the whole App is paused. Flows read it only to choose what to
   * say (a plan comment, an acknowledgement); the forge refuses the writes itself (pausing-forge.ts).
   */
  appMode?: "off" | "dry-run";
  /** Sends `notify:` notifications; absent, nothing is sent. */
  notifier?: Notifier;
  /**
   * Runs the writes that can follow a visible PR (its labels, reviewers, check run, incident link,
   * ledger record, the incident's timeline) behind every other piece of work's writes still on the
   * way to its PR, where GitHub spaces writes (the App: Probot's write throttle). Awaited like any
   * step, so a failure fails the work and the inbox retries it: deferred, never fire-and-forget.
   * Absent, the task just runs.
   */
  followUp?: <T>(task: () => Promise<T>) => Promise<T>;
}

/** `deps.followUp`, or the task at once. */
export function followUp<T>(deps: FlowDeps, task: () => Promise<T>): Promise<T> {
  return deps.followUp === undefined ? task() : deps.followUp(task);
}

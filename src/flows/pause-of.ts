import type { LedgerEntry } from "../audit/index.js";
import type { RepoConfig } from "../config/repo-config.js";
import { loadConfig } from "../repo/load-repository.js";
import type { FlowDeps } from "./deps.js";
import { repoAt } from "./repo-at.js";

export const PAUSED_LABEL = "remedy:paused";
/** The label of the one issue the circuit breaker opens ("Remedy paused itself"). */
export const BREAKER_LABEL = "remedy:breaker";

export type PauseLevel = "app" | "repo" | "breaker" | "incident" | "pr";

export interface Pause {
  level: PauseLevel;
  /** "dry-run" only for `REMEDY_MODE=dry-run`: plans are still posted as comments. */
  mode: "off" | "dry-run";
  /** A sentence for people: what paused it. */
  reason: string;
  /** How to lift it. */
  resume: string;
}

/** What a flow knows about the scope it is about to write to. */
export interface PauseScope {
  config?: RepoConfig | null;
  incident?: number | null;
  pr?: number | null;
  /** Labels of the incident issue or PR, when the flow has them: the label pauses even unrecorded. */
  labels?: readonly string[];
  entries?: readonly LedgerEntry[];
}

/**
 * Whether a scope is paused, broadest level first (SPEC §2 "Pause"): `REMEDY_MODE`, `mode: off`, the
 * circuit breaker, then `/pause` or the `remedy:paused` label on the incident issue or the PR. The
 * ledger's `paused` / `resumed` / `breaker.tripped` entries are the durable record.
 */
export async function pauseOf(deps: FlowDeps, scope: PauseScope): Promise<Pause | null> {
  if (deps.appMode !== undefined)
    return {
      level: "app",
      mode: deps.appMode,
      reason: `Remedy is set to \`REMEDY_MODE=${deps.appMode}\` for the whole App`,
      resume: "whoever runs Remedy sets `REMEDY_MODE` back (or unsets it) and restarts it",
    };
  if (scope.config?.mode === "off")
    return {
      level: "repo",
      mode: "off",
      reason: "`.github/remedy.yml` sets `mode: off` for this repository",
      resume: "change `mode:` in `.github/remedy.yml` on the default branch",
    };
  const entries = scope.entries ?? (await ledgerEntries(deps));
  const state = pauseState(entries);
  if (state.breaker !== null)
    return {
      level: "breaker",
      mode: "off",
      reason: `the circuit breaker paused this repository${state.breaker.issue === null ? "" : ` (see #${state.breaker.issue})`}`,
      resume: `a writer comments \`/resume\` on ${state.breaker.issue === null ? "the breaker issue" : `#${state.breaker.issue}`}`,
    };
  const labelled = scope.labels?.includes(PAUSED_LABEL) === true;
  for (const [level, number] of [
    ["pr", scope.pr],
    ["incident", scope.incident],
  ] as const) {
    if (number === null || number === undefined) continue;
    if (state.paused.has(`${level}:${number}`) || (labelled && (level === "pr" || scope.pr == null)))
      return {
        level,
        mode: "off",
        reason: `${level === "pr" ? "this PR" : `incident #${number}`} is paused (\`/pause\` or the \`${PAUSED_LABEL}\` label)`,
        resume: `a writer comments \`/resume\` on #${number} (or removes the \`${PAUSED_LABEL}\` label)`,
      };
  }
  return null;
}

export interface PauseState {
  /** "incident:12", "pr:40": scopes whose latest record is `paused`. */
  paused: Set<string>;
  /** The breaker's trip not yet lifted by a repository-level `resumed`. */
  breaker: { at: string; issue: number | null } | null;
}

/** Replays the ledger's pause records in order. */
export function pauseState(entries: readonly LedgerEntry[]): PauseState {
  const paused = new Set<string>();
  let breaker: PauseState["breaker"] = null;
  for (const entry of entries) {
    const scope = entry.data.scope;
    const number = entry.data.number;
    if (entry.kind === "breaker.tripped") {
      const issue = entry.data.issue;
      breaker = { at: entry.at, issue: typeof issue === "number" ? issue : null };
    } else if (entry.kind === "paused" || entry.kind === "resumed") {
      if (scope === "repo") {
        if (entry.kind === "resumed") breaker = null;
      } else if ((scope === "incident" || scope === "pr") && typeof number === "number") {
        if (entry.kind === "paused") paused.add(`${scope}:${number}`);
        else paused.delete(`${scope}:${number}`);
      }
    }
  }
  return { paused, breaker };
}

async function ledgerEntries(deps: FlowDeps): Promise<readonly LedgerEntry[]> {
  try {
    return await deps.audit.entries();
  } catch (error) {
    // The labels and the configuration still pause; an unreadable ledger is logged, not a stop.
    deps.log.warn({ err: error }, "could not read the ledger for pause records");
    return [];
  }
}

/** The comment that acknowledges a write Remedy did not make because the scope is paused. */
export function pausedNotice(pause: Pause, what: string): string {
  return `### Remedy is paused\n${what}: ${pause.reason}. To resume, ${pause.resume}.`;
}

/** The App- or repository-wide pause, reading `.github/remedy.yml` on the default branch. */
export async function repositoryPause(deps: FlowDeps): Promise<Pause | null> {
  if (deps.appMode !== undefined) return pauseOf(deps, {});
  const base = await deps.forge.defaultBranch();
  const sha = await deps.forge.branchHead(base);
  // An unreadable configuration is reported by the incident flow; it pauses nothing by itself.
  const config = sha === null ? null : await loadConfig(repoAt(deps.forge, sha)).catch(() => null);
  return pauseOf(deps, { config });
}

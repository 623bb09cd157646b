import type { ProbotOctokit } from "probot";
import {
  AuditLedger,
  type AuditLedgerOptions,
  type ParsedLedgers,
  type VerifiedLedgers,
} from "../audit/index.js";
import { diagnoserFromConfig } from "../adapters/openai/diagnoser-from-config.js";
import { auditSteps } from "../flows/audit-step.js";
import type { FlowDeps, Logger } from "../flows/deps.js";
import type { GitHubCache } from "../adapters/github/github-cache.js";
import { GitHubForge } from "../adapters/github/github-forge.js";
import { pausingForge } from "../forge/pausing-forge.js";
import type { Store } from "../store/store.js";
import { evidenceFromConfig, healthFromConfig } from "../adapters/health-from-config.js";
import { WebhookNotifier } from "../adapters/webhook-notifier.js";
import type { Notifier } from "../notify/notification.js";

export interface FlowDepsInput {
  octokit: ProbotOctokit;
  owner: string;
  repo: string;
  store: Store;
  botLogin: string;
  log: Logger;
  /** Where health sources find the tokens `.github/remedy.yml` names; never the repository. */
  env: NodeJS.ProcessEnv;
  now?: () => string;
  /** The process-wide cache of immutable reads; each forge gets its own when absent. */
  cache?: GitHubCache;
  /**
   * The process-wide records of ledger texts verified and read, and the turns of its appends (by
   * ledger, here `owner/repo`); each ledger has its own when absent.
   */
  ledgers?: {
    verified: VerifiedLedgers;
    parsed: ParsedLedgers;
    turns: <T>(ledger: string, task: () => Promise<T>) => Promise<T>;
  };
  /** `REMEDY_MODE`; anything but "on" wraps the forge so it refuses every change write. */
  mode?: "on" | "off" | "dry-run";
  /** Counts each notification sent or failed (the metrics). */
  onNotification?: (channel: string, sent: boolean) => void;
  /** Queues the writes that can follow a visible PR behind other work's (the runtime's write lanes). */
  followUp?: <T>(task: () => Promise<T>) => Promise<T>;
}

/**
 * The ports the flows use, for one installation's repository. The model diagnoser is used only when
 * `.github/remedy.yml` has a `model` section and its key is in the environment; each call is audited
 * by hash (never the prompt).
 */
export function flowDepsFor(input: FlowDepsInput): FlowDeps {
  const github = new GitHubForge({
    octokit: input.octokit,
    owner: input.owner,
    repo: input.repo,
    botLogin: input.botLogin,
    log: input.log,
    ...(input.cache === undefined ? {} : { cache: input.cache }),
  });
  const mode = input.mode ?? "on";
  const forge = mode === "on" ? github : pausingForge(github, () => `REMEDY_MODE=${mode} for the whole App`);
  const deps: FlowDeps = {
    forge,
    ...(mode === "on" ? {} : { appMode: mode }),
    audit: new AuditLedger(forge.ledger, ledgerOptions(input.ledgers, `${input.owner}/${input.repo}`)),
    store: input.store,
    now: input.now ?? (() => new Date().toISOString()),
    log: input.log,
    botLogin: input.botLogin,
    health: (config, plan) => healthFromConfig(config, plan, input.env),
    notifier: countedNotifier(new WebhookNotifier({ env: input.env }), input.onNotification),
    ...(input.followUp === undefined ? {} : { followUp: input.followUp }),
    evidence: (config) => evidenceFromConfig(config, input.env),
    diagnoser: diagnoserFromConfig(input.env, {
      log: input.log,
      onCall: async (call) => {
        await auditSteps(deps, [
          {
            kind: "model.call",
            incident: call.incident,
            actor: "remedy",
            data: {
              model: call.model,
              promptHash: call.promptHash,
              outputHash: call.outputHash,
              outcome: call.outcome,
              reason: call.reason,
            },
          },
        ]);
      },
    }),
  };
  return deps;
}

function ledgerOptions(shared: FlowDepsInput["ledgers"], ledger: string): AuditLedgerOptions {
  if (shared === undefined) return {};
  return {
    verified: shared.verified,
    parsed: shared.parsed,
    exclusive: (task) => shared.turns(ledger.toLowerCase(), task),
  };
}

function countedNotifier(inner: Notifier, count?: (channel: string, sent: boolean) => void): Notifier {
  if (count === undefined) return inner;
  return {
    async send(channel, urlEnv, notification) {
      try {
        await inner.send(channel, urlEnv, notification);
        count(channel, true);
      } catch (error) {
        count(channel, false);
        throw error;
      }
    },
  };
}

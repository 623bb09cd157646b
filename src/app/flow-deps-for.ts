import { AuditLedger } from "../audit/index.js";
import type { FlowDeps, HealthSources, Logger } from "../flows/deps.js";
import type { Forge } from "../forge/forge.js";
import type { Store } from "../store/store.js";

export interface FlowDepsInput {
  forge: Forge;
  store: Store;
  botLogin: string;
  log: Logger;
  env: NodeJS.ProcessEnv;
  now?: () => string;
}

/** The ports the flows use, for one installation's repository. */
export function flowDepsFor(input: FlowDepsInput): FlowDeps {
  return {
    forge: input.forge,
    audit: new AuditLedger(input.forge.ledger),
    store: input.store,
    now: input.now ?? (() => new Date().toISOString()),
    log: input.log,
    botLogin: input.botLogin,
    health: () => noHealth,
  };
}

// Until a health source is configured, every check reads "no data", which verification counts as
// inconclusive and escalates; it never passes silently.
const noHealth: HealthSources = {
  health: { sample: async (check) => ({ name: check.name, value: null, reason: "no health source is configured (health.prometheus in .github/remedy.yml)" }) },
};

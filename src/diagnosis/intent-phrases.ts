import type { Runbook } from "./runbook-schema.js";

/** Words that say what a person wants done, whatever the runbook's own keywords are. */
export const INTENT: Record<Runbook["action"]["kind"], string[]> = {
  scale: ["scale up", "scale out", "more replica", "add replica", "add capacity"],
  "set-image": ["roll forward", "deploy version", "upgrade to", "image tag"],
  "rollback-image": ["roll back", "rollback", "revert deploy", "revert release", "previous version"],
  restart: ["restart", "rolling restart", "bounce the pods", "recycle the pods"],
  escalate: [],
};

import type { Forge } from "./forge.js";

/** Labels Remedy may still add in a paused scope: the escalation, and the pause itself. */
const PAUSE_SAFE_LABELS = new Set(["needs-human", "remedy:paused"]);

/**
 * Forge methods that change the repository. In a paused scope they are refused here, at the writer,
 * so no code path can forget the pause. What stays allowed (SPEC §1 invariant 8): comments (the
 * acknowledgement and escalations), check runs (verification keeps reporting), the audit ledger,
 * and the `needs-human` / `remedy:paused` labels. `disableAutoMerge` is not listed on purpose: it is a
 * write in a paused scope, the one that makes the pause true (an auto-merge enabled before the pause
 * would otherwise merge the PR on its approval).
 */
const CHANGE_WRITES = new Set<keyof Forge>([
  "createBranch",
  "createBranchWithCommit",
  "commitFile",
  "commitFileOnto",
  "openPullRequest",
  "updatePullRequestBody",
  "requestReviewers",
  "enableAutoMerge",
  "setDraft",
  "finishPullRequest",
  "createIssue",
  "closeIssue",
  "updateIssueBody",
  "addLabels",
  "removeLabel",
]);

/** Thrown by a pausing forge when a flow tries to change a paused scope. */
export class PausedWriteError extends Error {
  constructor(
    readonly method: string,
    readonly reason: string,
  ) {
    super(`Remedy is paused (${reason}): ${method} refused`);
    this.name = "PausedWriteError";
  }
}

/** Whether a forge call changes the repository in a way a pause forbids. */
export function isPausedWrite(method: string, args: readonly unknown[]): boolean {
  if (!CHANGE_WRITES.has(method as keyof Forge)) return false;
  if (method === "addLabels") {
    const labels = (args[1] ?? []) as string[];
    return labels.some((label) => !PAUSE_SAFE_LABELS.has(label));
  }
  return true;
}

/**
 * The forge with every change write refused while `pausedBy()` names a reason (e.g. `REMEDY_MODE=off`).
 * Reads, comments, check runs and the ledger pass through.
 */
export function pausingForge(forge: Forge, pausedBy: () => string | null): Forge {
  return new Proxy(forge, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const reason = pausedBy();
        if (reason !== null && isPausedWrite(String(property), args))
          return Promise.reject(new PausedWriteError(String(property), reason));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

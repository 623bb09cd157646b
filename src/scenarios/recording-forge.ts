import type { Forge } from "../forge/forge.js";

/** One GitHub write Remedy made during a scenario, with the step it happened in (0: the signal). */
export interface RecordedWrite {
  step: number;
  method: string;
  /**
   * Comments, ledger appends, check-run updates and Remedy's timeline section of the incident issue
   * (a report like a comment: no branch, commit, PR, label or merge): what `never: writes_after_step`
   * still allows.
   */
  minor: boolean;
  detail: string;
  /** `mark()` once the call returned (the in-memory forge's own write count), to tell both logs in order. */
  mark: number;
}

/** Forge methods that only read. Any other method is a write, including ones added later. */
const READ =
  /^(get|list|find|read|has|is|compare|permission|protection|defaultBranch|branchHead|fileHistory|pullRequestFiles)/;
const MINOR = new Set(["comment", "upsertComment", "createCheckRun", "updateCheckRun", "updateIssueBody"]);

/**
 * The forge as Remedy sees it in a scenario: every call that writes is logged with the step being
 * played, so `never: writes_after_step: N` can tell which step a write belongs to. Writes are logged
 * once they succeed; the ledger is its own backend and is not a GitHub write here.
 */
export function recordingForge<F extends Forge>(
  forge: F,
  log: RecordedWrite[],
  step: () => number,
  mark: () => number = () => log.length,
): F {
  return new Proxy(forge, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      const method = value as (...args: unknown[]) => unknown;
      if (typeof prop !== "string" || READ.test(prop)) return method.bind(target);
      return (...args: unknown[]) => {
        const at = step();
        const record = (result: unknown) => {
          if (!refused(result))
            log.push({
              step: at,
              method: prop,
              minor: MINOR.has(prop),
              detail: describeCall(prop, args),
              mark: mark(),
            });
          return result;
        };
        const result = method.apply(target, args);
        return result instanceof Promise ? result.then(record) : record(result);
      };
    },
  });
}

/** A call the host turned down changed nothing: a branch that exists, a commit on a stale head. */
function refused(result: unknown): boolean {
  if (result === "exists") return true;
  // createBranchWithCommit: the branch was there already and the commit did not land on it.
  if (typeof result === "object" && result !== null && "branch" in result && "sha" in result)
    return (
      (result as { branch: unknown; sha: unknown }).branch === "exists" &&
      (result as { sha: unknown }).sha === null
    );
  return typeof result === "object" && result !== null && (result as { ok?: unknown }).ok === false;
}

function describeCall(method: string, args: unknown[]): string {
  const first = args[0];
  if (method === "createCheckRun" && typeof first === "object" && first !== null) {
    const run = first as { name?: string; headSha?: string; conclusion?: string; status?: string };
    return `${method} ${run.name ?? "?"} ${run.conclusion ?? run.status ?? ""} on ${(run.headSha ?? "").slice(0, 12)}`;
  }
  if (typeof first === "number")
    return `${method} #${first}${args[1] === undefined ? "" : ` ${brief(args[1])}`}`;
  if (typeof first === "string") return `${method} ${first}`;
  if (typeof first === "object" && first !== null) {
    const o = first as Record<string, unknown>;
    const what = o.branch ?? o.head ?? o.title ?? o.name ?? o.number;
    return what === undefined ? method : `${method} ${brief(what)}`;
  }
  return method;
}

function brief(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return (text ?? "").split("\n")[0]!.slice(0, 60);
}

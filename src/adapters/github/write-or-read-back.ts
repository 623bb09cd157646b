import type { GitHubForgeLog } from "./github-context.js";
import { isAmbiguous, statusOf } from "./http-errors.js";

/** How a write that may have landed is settled by reading, never by posting again blind. */
export interface ReadBack<Found, T> {
  /** The fixed log message of the reconciliation. */
  message: string;
  /** Errors that also mean "look at what is there", such as a 422 for a PR that raced us. */
  alsoWhen?: (error: unknown) => boolean;
  /** Reads what is there now. */
  read: () => Promise<Found>;
  /** The log metadata about what was found (the failed status is added). */
  describe: (found: Found) => Record<string, unknown>;
  /** The write's result from what was found; null when nothing of ours landed (the error is rethrown). */
  settle: (found: Found) => T | null | Promise<T | null>;
}

/**
 * Sends a write. When it fails ambiguously (5xx or a dropped connection, after plugin-retry gave
 * up), what landed is read back and becomes the result; a definite refusal is thrown as it came.
 */
export async function writeOrReadBack<Found, T>(
  log: GitHubForgeLog,
  send: () => Promise<T>,
  back: ReadBack<Found, T>,
): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (!isAmbiguous(error) && back.alsoWhen?.(error) !== true) throw error;
    const found = await back.read();
    log.warn({ ...back.describe(found), status: statusOf(error) ?? null }, back.message);
    const result = await back.settle(found);
    if (result === null) throw error;
    return result;
  }
}

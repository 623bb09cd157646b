import { TextPrefixes } from "./text-prefixes.js";
import { continueChain, type ChainPoint, type ChainResult } from "./verify-chain.js";

type ChainFailure = Extract<ChainResult, { ok: false }>;

/**
 * The ledger texts this process has verified, so that each append re-checks only the lines written
 * since the last one instead of re-hashing the whole history (a storm appends hundreds of times to
 * one growing ledger). Nothing is trusted by name or version: a remembered text counts only as far
 * as the ledger just loaded repeats it byte for byte, and every line after it is checked as
 * `verifyChain` would check it. Only texts ending with a newline are remembered, so the lines
 * after one always start a new line.
 */
export class VerifiedLedgers {
  readonly #prefixes: TextPrefixes<ChainPoint>;

  /** `capacity`: how many ledgers are remembered (one per repository in use is enough). */
  constructor(capacity = 32) {
    this.#prefixes = new TextPrefixes(capacity);
  }

  /** `verifyChain(text)` (without commit checks), starting after the longest remembered text that `text` begins with. */
  check(text: string): { ok: true; point: ChainPoint } | ChainFailure {
    return this.#prefixes.read(text, (known, rest) => {
      const result = continueChain(known ?? { last: undefined, count: 0 }, rest);
      return { result, state: result.ok ? result.point : null };
    });
  }
}

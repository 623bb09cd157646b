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
  /** Least recently used first. */
  readonly #texts: Array<{ text: string; point: ChainPoint }> = [];
  readonly #capacity: number;

  /** `capacity`: how many ledgers are remembered (one per repository in use is enough). */
  constructor(capacity = 32) {
    this.#capacity = Math.max(1, capacity);
  }

  /** `verifyChain(text)` (without commit checks), starting after the longest remembered text that `text` begins with. */
  check(text: string): { ok: true; point: ChainPoint } | ChainFailure {
    let best = -1;
    for (let i = 0; i < this.#texts.length; i++) {
      const known = this.#texts[i]!.text;
      if (known.length <= text.length && text.startsWith(known)) {
        if (best === -1 || known.length > this.#texts[best]!.text.length) best = i;
      }
    }
    const from = best === -1 ? undefined : this.#texts.splice(best, 1)[0];
    const result = continueChain(
      from?.point ?? { last: undefined, count: 0 },
      text.slice(from?.text.length ?? 0),
    );
    if (result.ok && text.endsWith("\n")) this.#texts.push({ text, point: result.point });
    else if (from !== undefined) this.#texts.push(from);
    while (this.#texts.length > this.#capacity) this.#texts.shift();
    return result;
  }
}

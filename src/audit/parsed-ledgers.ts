import type { LedgerEntry } from "./ledger-entry.js";
import { parseLedger } from "./parse-ledger.js";

/**
 * The ledger texts this process has read without a problem, with their entries, so reading a
 * ledger that only grew since parses only its new lines (the incident timeline and the pause state
 * read the whole ledger for every incident of a storm). Like VerifiedLedgers, nothing is trusted by
 * name: a remembered text counts only as far as the text being read repeats it byte for byte, and
 * only texts ending with a newline are remembered. Every caller gets its own copy of the entries.
 */
export class ParsedLedgers {
  /** Least recently used first. */
  readonly #texts: Array<{ text: string; entries: LedgerEntry[] }> = [];
  readonly #capacity: number;

  constructor(capacity = 32) {
    this.#capacity = Math.max(1, capacity);
  }

  /** `parseLedger(text)`, reading only what follows the longest remembered text it begins with. */
  parse(text: string): ReturnType<typeof parseLedger> {
    let best = -1;
    for (let i = 0; i < this.#texts.length; i++) {
      const known = this.#texts[i]!.text;
      if (known.length <= text.length && text.startsWith(known)) {
        if (best === -1 || known.length > this.#texts[best]!.text.length) best = i;
      }
    }
    const from = best === -1 ? undefined : this.#texts.splice(best, 1)[0];
    const rest = parseLedger(text.slice(from?.text.length ?? 0), (from?.entries.length ?? 0) + 1);
    const entries = [...(from?.entries ?? []), ...rest.entries];
    if (rest.errors.length === 0 && text.endsWith("\n")) this.#texts.push({ text, entries });
    else if (from !== undefined) this.#texts.push(from);
    while (this.#texts.length > this.#capacity) this.#texts.shift();
    return { entries: structuredClone(entries), errors: rest.errors };
  }
}

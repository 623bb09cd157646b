import type { LedgerEntry } from "./ledger-entry.js";
import { parseLedger } from "./parse-ledger.js";
import { TextPrefixes } from "./text-prefixes.js";

/**
 * The ledger texts this process has read without a problem, with their entries, so reading a
 * ledger that only grew since parses only its new lines (the incident timeline and the pause state
 * read the whole ledger for every incident of a storm). Like VerifiedLedgers, nothing is trusted by
 * name: a remembered text counts only as far as the text being read repeats it byte for byte, and
 * only texts ending with a newline are remembered. Every caller gets its own copy of the entries.
 */
export class ParsedLedgers {
  readonly #prefixes: TextPrefixes<LedgerEntry[]>;

  constructor(capacity = 32) {
    this.#prefixes = new TextPrefixes(capacity);
  }

  /** `parseLedger(text)`, reading only what follows the longest remembered text it begins with. */
  parse(text: string): ReturnType<typeof parseLedger> {
    return this.#prefixes.read(text, (known, rest) => {
      const parsed = parseLedger(rest, (known?.length ?? 0) + 1);
      const entries = [...(known ?? []), ...parsed.entries];
      return {
        result: { entries: structuredClone(entries), errors: parsed.errors },
        state: parsed.errors.length === 0 ? entries : null,
      };
    });
  }
}

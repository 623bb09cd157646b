import { createHash } from "node:crypto";

export interface ContentMemoOptions {
  /** Results kept (least recently used go first). Default 256. */
  maxEntries?: number;
  /** Total characters of the inputs behind the kept results. Default 8 million. */
  maxChars?: number;
}

/**
 * Results of pure functions of file texts (parse and validate a config, a runbook, the policies),
 * keyed by everything they depend on: the file names (errors name them) and the full texts. Loading
 * the repository again at a commit already seen (a storm loads it for every alert, often twice)
 * then parses nothing again, yet an edited file can never be answered from another version: the
 * key is its content, not a commit id or a branch. Only successes are kept; a failure is computed
 * again and throws the same errors. Every caller gets its own copy, so no caller can change what
 * another one is given.
 */
export class ContentMemo {
  /** Digest of the inputs → result and the characters it accounts for; least recent first. */
  readonly #entries = new Map<string, { value: unknown; chars: number }>();
  readonly #maxEntries: number;
  readonly #maxChars: number;
  #chars = 0;

  constructor(options: ContentMemoOptions = {}) {
    this.#maxEntries = Math.max(1, options.maxEntries ?? 256);
    this.#maxChars = Math.max(1, options.maxChars ?? 8_000_000);
  }

  /** `compute()`, or a copy of what it answered before for exactly these `inputs`. */
  get<T>(inputs: readonly string[], compute: () => T): T {
    const key = digest(inputs);
    const known = this.#entries.get(key);
    if (known !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, known);
      return structuredClone(known.value) as T;
    }
    const value = compute();
    const chars = inputs.reduce((sum, input) => sum + input.length, 0);
    if (chars <= this.#maxChars / 4) {
      this.#entries.set(key, { value: structuredClone(value), chars });
      this.#chars += chars;
      for (const [oldest, entry] of this.#entries) {
        if (this.#entries.size <= this.#maxEntries && this.#chars <= this.#maxChars) break;
        this.#entries.delete(oldest);
        this.#chars -= entry.chars;
      }
    }
    return value;
  }

  get size(): number {
    return this.#entries.size;
  }
}

// Each input is length-prefixed, so ["ab", "c"] and ["a", "bc"] never share a key, and hashed as its
// UTF-16 code units, so two texts that UTF-8 would encode alike (lone surrogates) stay apart.
function digest(inputs: readonly string[]): string {
  const hash = createHash("sha256");
  for (const input of inputs) hash.update(`${input.length}:`).update(input, "utf16le");
  return hash.digest("hex");
}

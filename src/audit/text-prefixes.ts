/**
 * Texts this process already went through, each with what it learned from it, so a text that only
 * grew since is read from where the remembered one ends (VerifiedLedgers, ParsedLedgers). Nothing is
 * trusted by name or version: a remembered text counts only as far as the text being read repeats it
 * byte for byte. Only texts ending with a newline are remembered, so what follows one always starts
 * a new line. Least recently used texts are forgotten first, beyond `capacity`.
 */
export class TextPrefixes<S> {
  /** Least recently used first. */
  readonly #texts: Array<{ text: string; state: S }> = [];
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  /**
   * Hands `step` the state of the longest remembered text that `text` begins with (undefined: none)
   * and the rest of `text`; remembers `text` with the state `step` returns, unless that is null.
   */
  read<R>(text: string, step: (known: S | undefined, rest: string) => { result: R; state: S | null }): R {
    let best = -1;
    for (let i = 0; i < this.#texts.length; i++) {
      const known = this.#texts[i]!.text;
      if (known.length <= text.length && text.startsWith(known)) {
        if (best === -1 || known.length > this.#texts[best]!.text.length) best = i;
      }
    }
    const from = best === -1 ? undefined : this.#texts.splice(best, 1)[0];
    const { result, state } = step(from?.state, text.slice(from?.text.length ?? 0));
    if (state !== null && text.endsWith("\n")) this.#texts.push({ text, state });
    else if (from !== undefined) this.#texts.push(from);
    while (this.#texts.length > this.#capacity) this.#texts.shift();
    return result;
  }
}

import type { LedgerBackend } from "./ledger-backend.js";

/**
 * The ledger of the in-memory forge (eval, simulate, tests). Versions count stores; null until the
 * first one, like a `remedy-audit` branch that does not exist yet. Every call yields to the event
 * loop first, so concurrent appends interleave the way they do against GitHub.
 */
export class InMemoryLedgerBackend implements LedgerBackend {
  #text: string;
  #stores = 0;
  #exists: boolean;
  readonly #messages: string[] = [];

  constructor(initialText?: string) {
    this.#text = initialText ?? "";
    this.#exists = initialText !== undefined;
  }

  get text(): string {
    return this.#text;
  }

  /** Commit messages of the stores so far, oldest first. */
  get messages(): readonly string[] {
    return this.#messages;
  }

  get version(): string | null {
    return this.#exists ? String(this.#stores) : null;
  }

  async load(): Promise<{ text: string; version: string | null }> {
    await yieldToEventLoop();
    return { text: this.#text, version: this.version };
  }

  async store(text: string, expectedVersion: string | null, message: string): Promise<"stored" | "conflict"> {
    await yieldToEventLoop();
    if (expectedVersion !== this.version) return "conflict";
    this.#text = text;
    this.#exists = true;
    this.#stores += 1;
    this.#messages.push(message);
    return "stored";
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

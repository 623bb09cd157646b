/**
 * Runs tasks one at a time per key, in arrival order, and different keys in parallel. Alerts for one
 * repository and group must not race each other to the branch lock: the lock would hold, but the
 * losers would still comment and audit twice. The queue lives in one process; the branch and the
 * store's claims cover several replicas.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    // Forget the key once its last task is done, so the map does not grow with every group ever seen.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Resolves when every task queued so far has settled (tests, graceful stop). */
  async idle(): Promise<void> {
    while (this.#tails.size > 0) await Promise.all([...this.#tails.values()]);
  }
}

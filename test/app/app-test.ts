import nock from "nock";
import { afterEach, beforeAll } from "vitest";
import { finishHarness, startRemedy, type Harness, type StartOptions } from "./harness.js";

/** One App test file's Remedy: at most one running at a time, finished after each test. */
export interface RemedyApp {
  /** Starts Remedy for the current test; it is finished (and checked) after the test. */
  start(options?: StartOptions): Promise<Harness>;
  /** The running Remedy; throws when no test started one. */
  readonly h: Harness;
  /** Delivers a webhook through Probot and waits until Remedy's background work is done. */
  receive(name: string, id: string, payload: Record<string, unknown>): Promise<void>;
  /** Finishes the running Remedy now (before a restart, or before closing what it talks to). */
  finish(): Promise<void>;
  /** Closes the running Remedy without the end-of-test checks: the process (and its data) gone. */
  close(): Promise<void>;
}

/**
 * Registers the App tests' scaffolding in the calling file (or describe block): network off but
 * for 127.0.0.1 (the alert endpoint, fake Prometheus, hooks), and `finishHarness` after each test.
 * `after` runs once Remedy is finished, for what the file itself opened (servers Remedy calls):
 * vitest runs after-hooks in reverse, so a file's own afterEach would run before the finish.
 */
export function useRemedyApp(after?: () => Promise<void>): RemedyApp {
  let current: Harness | undefined;

  async function finish(): Promise<void> {
    const running = current;
    current = undefined;
    await finishHarness(running);
  }

  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
  });

  afterEach(async () => {
    try {
      await finish();
    } finally {
      await after?.();
    }
  });

  const app: RemedyApp = {
    async start(options) {
      if (current !== undefined) throw new Error("Remedy is already running: app.finish() it first");
      current = await startRemedy(options);
      return current;
    },
    get h() {
      if (current === undefined) throw new Error("no Remedy running: call app.start() in this test first");
      return current;
    },
    async receive(name, id, payload) {
      const h = app.h;
      await h.probot.receive({ id, name, payload } as never);
      await h.runtime.idle();
    },
    finish,
    async close() {
      const running = app.h;
      current = undefined;
      await running.close();
    },
  };
  return app;
}

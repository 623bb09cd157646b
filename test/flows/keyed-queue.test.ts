import { describe, expect, it } from "vitest";
import { KeyedQueue } from "../../src/flows/keyed-queue.js";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("KeyedQueue (the one queue on-alert and the runtime share)", () => {
  it("runs one key's tasks one at a time in arrival order, other keys alongside", async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const gate = deferred();
    const first = queue.run("a", async () => {
      log.push("a1 start");
      await gate.promise;
      log.push("a1 end");
      return 1;
    });
    const second = queue.run("a", async () => {
      log.push("a2");
      return 2;
    });
    const other = queue.run("b", async () => {
      log.push("b1");
      return 3;
    });
    expect(await other).toBe(3);
    expect(log).toEqual(["a1 start", "b1"]);
    gate.resolve();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(log).toEqual(["a1 start", "b1", "a1 end", "a2"]);
  });

  it("passes a failure to its own caller only; the next task of the key still runs", async () => {
    const queue = new KeyedQueue();
    const failing = queue.run("a", async () => {
      throw new Error("boom");
    });
    const next = queue.run("a", async () => "ran");
    await expect(failing).rejects.toThrow("boom");
    expect(await next).toBe("ran");
  });

  it("idle() waits for every queued task, including ones queued while waiting", async () => {
    const queue = new KeyedQueue();
    const done: string[] = [];
    void queue.run("a", async () => {
      await new Promise((r) => setTimeout(r, 5));
      done.push("a");
      void queue.run("c", async () => {
        done.push("c");
      });
    });
    void queue.run("b", async () => {
      done.push("b");
    });
    await queue.idle();
    expect(done.sort()).toEqual(["a", "b", "c"]);
  });
});

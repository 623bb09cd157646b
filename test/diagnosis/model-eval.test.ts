import { resolve } from "node:path";
import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { evalCommand } from "../../src/cli/eval-command.js";
import {
  answer,
  chatCompletion,
  MODEL_BASE,
  MODEL_ENV,
  MODEL_PATH,
} from "../scenarios-model/chat-completion.js";

const DIR = resolve(import.meta.dirname, "../scenarios-model");

/** Picks the good answer from what the prompt is about, as a real model would from the text. */
function goodAnswer(body: { messages: Array<{ content: string }> }): string {
  const user = body.messages[1]?.content ?? "";
  if (user.includes("Replication lag on the orders"))
    return answer({
      runbook_id: "escalate-database",
      service: "checkout-api",
      environment: "prod",
      confidence: 0.9,
    });
  if (user.includes("5xx ratio 12%"))
    return answer({
      runbook_id: "rollback-bad-deploy",
      service: "search-api",
      environment: "prod",
      confidence: 0.9,
    });
  if (user.includes("Search responses are crawling"))
    return answer({
      runbook_id: "scale-on-latency",
      service: "search-api",
      environment: "prod",
      confidence: 0.8,
    });
  return answer({
    runbook_id: "scale-on-latency",
    service: "checkout-api",
    environment: "prod",
    confidence: 0.8,
  });
}

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe("remedy eval --model", () => {
  it("runs the suite through the configured model", async () => {
    nock(MODEL_BASE)
      .post(MODEL_PATH)
      .times(4)
      .reply((_uri, body) => [
        200,
        chatCompletion(goodAnswer(body as { messages: Array<{ content: string }> })),
      ]);
    const out: string[] = [];
    const code = await evalCommand(
      [DIR, "--model"],
      { out: (t) => out.push(t), err: (t) => out.push(t) },
      MODEL_ENV,
    );
    expect(out.at(-1)).toBe("4 passed, 0 failed");
    expect(out.at(-2)).toBe("model: 4 calls (2 accepted, 2 agreed, 0 disagreed, 0 rejected, 0 failed)");
    expect(code).toBe(0);
  });

  it("without the key, says which variable to set and exits 2", async () => {
    const err: string[] = [];
    const code = await evalCommand([DIR, "--model"], { out() {}, err: (t) => err.push(t) }, {});
    expect(code).toBe(2);
    expect(err.join("\n")).toMatch(/REMEDY_TEST_MODEL_KEY is not set/);
  });

  it("without --model, the rules alone miss the fuzzy scenarios", async () => {
    const out: string[] = [];
    const code = await evalCommand([DIR], { out: (t) => out.push(t), err: (t) => out.push(t) }, MODEL_ENV);
    expect(out.at(-1)).toBe("2 passed, 2 failed");
    expect(code).toBe(1);
  });
});

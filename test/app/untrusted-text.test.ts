import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { commentCreated, finishHarness, startRemedy, type Harness } from "./harness.js";

let harness: Harness | undefined;

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});

afterEach(async () => {
  const current = harness;
  harness = undefined;
  await finishHarness(current);
});

async function receive(name: string, id: string, payload: Record<string, unknown>): Promise<void> {
  const h = harness as Harness;
  await h.probot.receive({ id, name, payload } as never);
  await h.runtime.idle();
}

function openIncident(h: Harness) {
  return h.github.addIssue({
    title: "storefront prod: p99 latency high under traffic spike, scale to 8",
    body: "Checkout pages are slow since 09:50. Please scale up.",
    labels: ["incident"],
    user: "alice",
  });
}

describe("commands follow CommonMark: what a reader cannot see as a command does nothing", () => {
  const hidden = [
    "Looks fine to me.\n\n<!-- /propose -->",
    "Looks fine.\n<!--\n/propose\n-->",
    "<pre>\n/propose\n</pre>",
    "> the alert said\n/propose",
    "```\nlog line\n```js\n/propose\n```",
    "~~~\n/propose\n~~~",
    "text\n\n    /propose",
  ];

  it("a writer's comment whose /propose is hidden is not even looked at: no request beyond the App identity", async () => {
    harness = await startRemedy({ expectAuth: false });
    const h = harness;
    const issue = openIncident(h);
    for (const [i, body] of hidden.entries()) {
      await receive(
        "issue_comment",
        `d-hidden-${i}`,
        commentCreated({ issue: issue.number, body, user: "alice" }),
      );
    }
    // Only the App's own identity is read; no permission lookup, no comment, no branch, no PR.
    expect(h.github.requests.filter((r) => r.path !== "/app")).toEqual([]);
    expect(h.github.pulls()).toEqual([]);
  });

  it("the same writer's visible /propose opens the PR", async () => {
    harness = await startRemedy();
    const h = harness;
    const issue = openIncident(h);
    await receive(
      "issue_comment",
      "d-visible",
      commentCreated({ issue: issue.number, body: "<!-- note -->\n\n/propose", user: "alice" }),
    );
    expect(h.github.pulls()).toHaveLength(1);
  });
});

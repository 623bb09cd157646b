import { describe, expect, it } from "vitest";
import { useRemedyApp } from "./app-test.js";
import { ALERT_TOKEN, firingAlert } from "./harness.js";

const app = useRemedyApp();

async function post(
  url: string,
  body: string | object,
  token: string | null = ALERT_TOKEN,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${url}/alerts/shop/gitops`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe("POST /alerts/{owner}/{repo}", () => {
  it("answers 401 without the right bearer token, and logs no token", async () => {
    const harness = await app.start({ expectAuth: false });
    const url = await harness.listen();
    expect(await post(url, firingAlert(), null)).toEqual({
      status: 401,
      json: { error: expect.stringContaining("bearer token") },
    });
    expect((await post(url, firingAlert(), "wrong")).status).toBe(401);
    expect((await post(url, firingAlert(), `${ALERT_TOKEN}x`)).status).toBe(401);
    expect(harness.logs.join("")).not.toContain(ALERT_TOKEN);
    expect(harness.github.requests).toEqual([]);
  });

  it("answers 413 for a body over 1 MiB", async () => {
    const harness = await app.start({ expectAuth: false });
    const url = await harness.listen();
    const huge = { ...firingAlert(), padding: "x".repeat(2 * 1024 * 1024) };
    const result = await post(url, huge);
    expect(result.status).toBe(413);
    expect(result.json.error).toMatch(/larger than/);
  });

  it("answers 400 for a body that is not JSON", async () => {
    const harness = await app.start({ expectAuth: false });
    const url = await harness.listen();
    const result = await post(url, "{not json");
    expect(result.status).toBe(400);
    expect(result.json.error).toMatch(/not valid JSON/);
  });

  it("answers 422 naming the field for a wrong version or a missing groupKey", async () => {
    const harness = await app.start({ expectAuth: false });
    const url = await harness.listen();
    const wrongVersion = await post(url, { ...firingAlert(), version: "3" });
    expect(wrongVersion.status).toBe(422);
    expect(wrongVersion.json.error).toMatch(/version/);
    const { groupKey: _dropped, ...noGroupKey } = firingAlert();
    const missing = await post(url, noGroupKey);
    expect(missing.status).toBe(422);
    expect(missing.json.error).toMatch(/groupKey/);
    expect(harness.github.requests).toEqual([]);
  });

  it("answers 404 when the App is not installed on the repository", async () => {
    const harness = await app.start({ expectAuth: false });
    harness.github.installed = false;
    const url = await harness.listen();
    const result = await post(url, firingAlert());
    expect(result.status).toBe(404);
    expect(result.json.error).toMatch(/not installed on shop\/gitops/);
  });

  it("accepts with 202 at once, then opens the incident issue and the PR in the background", async () => {
    const harness = await app.start();
    const url = await harness.listen();
    const result = await post(url, firingAlert());
    expect(result).toEqual({ status: 202, json: { status: "accepted" } });
    await harness.runtime.idle();
    const issues = [...harness.github.issues.values()].filter((i) => i.pull === undefined);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.labels).toContain("incident");
    const pulls = harness.github.pulls();
    expect(pulls).toHaveLength(1);
    expect(pulls[0]?.pull?.head).toMatch(/^remedy\/storefront-prod-scale-/);
    // The work item is gone from the inbox once done.
    expect(await harness.runtime.inbox.list()).toEqual([]);
  });

  it("answers a repeat of the same firing with 202 duplicate and does no work", async () => {
    const harness = await app.start();
    const url = await harness.listen();
    expect((await post(url, firingAlert())).json).toEqual({ status: "accepted" });
    await harness.runtime.idle();
    const before = harness.github.requests.length;
    expect(await post(url, firingAlert())).toEqual({ status: 202, json: { status: "duplicate" } });
    await harness.runtime.idle();
    // Only the installation lookup may be repeated (and it is cached); nothing else.
    expect(harness.github.requests.slice(before).filter((r) => !r.path.endsWith("/installation"))).toEqual(
      [],
    );
    expect(harness.github.pulls()).toHaveLength(1);
  });

  it("gives one PR for ten concurrent identical alerts", async () => {
    const harness = await app.start();
    const url = await harness.listen();
    const results = await Promise.all(Array.from({ length: 10 }, () => post(url, firingAlert())));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(202));
    expect(results.filter((r) => r.json.status === "accepted")).toHaveLength(1);
    await harness.runtime.idle();
    expect(harness.github.pulls()).toHaveLength(1);
    expect([...harness.github.issues.values()].filter((i) => i.pull === undefined)).toHaveLength(1);
  });

  it("gives one PR for ten concurrent re-firings of one group (new startsAt each)", async () => {
    const harness = await app.start();
    const url = await harness.listen();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => post(url, firingAlert({ startsAt: `2026-03-02T09:5${i}:00Z` }))),
    );
    expect(results.every((r) => r.status === 202 && r.json.status === "accepted")).toBe(true);
    await harness.runtime.idle();
    expect(harness.github.pulls()).toHaveLength(1);
    expect([...harness.github.issues.values()].filter((i) => i.pull === undefined)).toHaveLength(1);
  });
});

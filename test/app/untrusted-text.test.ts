import { describe, expect, it } from "vitest";
import { useRemedyApp } from "./app-test.js";
import { BOT_LOGIN, type FakeGitHub } from "./fake-github.js";
import { ALERT_TOKEN, commentCreated, type Harness } from "./harness.js";

const app = useRemedyApp();

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
    const h = await app.start({ expectAuth: false });
    const issue = openIncident(h);
    for (const [i, body] of hidden.entries()) {
      await app.receive(
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
    const h = await app.start();
    const issue = openIncident(h);
    await app.receive(
      "issue_comment",
      "d-visible",
      commentCreated({ issue: issue.number, body: "<!-- note -->\n\n/propose", user: "alice" }),
    );
    expect(h.github.pulls()).toHaveLength(1);
  });
});

async function postAlert(h: Harness, payload: object): Promise<number> {
  const url = await h.listen();
  const response = await fetch(`${url}/alerts/shop/gitops`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ALERT_TOKEN}` },
    body: JSON.stringify(payload),
  });
  await h.runtime.idle();
  return response.status;
}

function group(alerts: object[], commonAnnotations: Record<string, string> = {}): object {
  return {
    version: "4",
    groupKey: '{}/{service="storefront"}:{alertname=~".*"}',
    status: "firing",
    commonLabels: { service: "storefront", env: "prod" },
    commonAnnotations,
    alerts,
  };
}

/** Every string Remedy sent to GitHub: request bodies, walked, so escapes in JSON cannot hide a character. */
function sentStrings(github: FakeGitHub): string[] {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === "object") Object.values(value).forEach(walk);
  };
  for (const request of github.requests) walk(request.body);
  return out;
}

function remedyIssues(github: FakeGitHub) {
  return [...github.issues.values()].filter((i) => i.user === BOT_LOGIN && i.pull === undefined);
}

/** GitHub's own measure: characters (code points), not UTF-16 units. */
const chars = (text: string) => [...text].length;

describe("what Remedy writes to GitHub from alert text fits GitHub's limits and carries no secrets", () => {
  it("a 10,000-alert group opens an issue with a title ≤ 256 and a body ≤ 65,536 characters", async () => {
    const h = await app.start();
    const alerts = Array.from({ length: 10_000 }, (_, i) => ({
      status: "firing",
      labels: { alertname: `A${i}` },
      startsAt: "2026-03-02T09:55Z",
      fingerprint: `f${i}`,
    }));
    expect(await postAlert(h, group(alerts))).toBe(202);
    const [issue] = remedyIssues(h.github);
    if (issue === undefined) throw new Error("GitHub did not accept the incident issue");
    expect(chars(issue.title)).toBeLessThanOrEqual(256);
    expect(issue.title).toMatch(/more characters\)$/);
    expect(chars(issue.body)).toBeLessThanOrEqual(65_536);
    expect(issue.body).toContain("…and 9950 more");
    expect(issue.body).toContain("<!-- remedy:alert ");
    // Every write Remedy made was accepted: no 422 from the size limits anywhere in the flow.
    for (const text of [...h.github.comments.map((c) => c.body), ...h.github.pulls().map((p) => p.body)])
      expect(chars(text)).toBeLessThanOrEqual(65_536);
  });

  it("a 900 KB annotation is cut with a note, and the incident is still Remedy's to re-read", async () => {
    const h = await app.start();
    const annotation = `${"storefront p99 latency above 400ms in prod. ".repeat(20_000)}`.slice(0, 900_000);
    const status = await postAlert(
      h,
      group(
        [
          {
            status: "firing",
            labels: { alertname: "HighLatency" },
            startsAt: "2026-03-02T09:55:00Z",
            fingerprint: "a1",
          },
        ],
        { summary: "storefront p99 latency high, scale to 8", description: annotation },
      ),
    );
    expect(status).toBe(202);
    const [issue] = remedyIssues(h.github);
    if (issue === undefined) throw new Error("GitHub did not accept the incident issue");
    expect(chars(issue.body)).toBeLessThanOrEqual(65_536);
    expect(issue.body).toMatch(/…\(truncated: \d+ of \d+ characters left out/);
    // The cut closed the JSON fence: the hidden blocks come after it, outside the quoted data.
    const tail = issue.body.slice(issue.body.indexOf("…(truncated"));
    // …and the live timeline after them: the cut kept its room (it was silently absent before).
    expect(tail).toMatch(
      /^…\(truncated[^\n]*\n\n<!-- remedy:alert-key [0-9a-f]+ -->\n<!-- remedy:alert [A-Za-z0-9+/=]+ -->\n\n<!-- remedy:timeline:start -->\n[^]*\n<!-- remedy:timeline:end -->$/,
    );
    expect(issue.body.slice(0, issue.body.indexOf("…(truncated")).trimEnd().endsWith("```")).toBe(true);
    // The incident went on to its PR (the decision came from the annotation's words).
    expect(h.github.pulls()).toHaveLength(1);
  });

  it("secrets and control characters in alert annotations and labels never reach GitHub", async () => {
    const h = await app.start();
    const secrets = [
      `ghp_${"Z9y8X7w6V5".repeat(4)}`,
      `github_pat_${"11ABCDEFG0".repeat(6)}`,
      "AKIAIOSFODNN7EXAMPLE",
      "hunter2hunter2",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyZW1lZHkifQ.c2lnbmF0dXJlLXRlc3Q",
      "MIIEowIBAAKCAQEAsecretkeymaterial",
    ];
    const [ghp, pat, akia, password, jwt, key] = secrets as [string, string, string, string, string, string];
    const controls = "\u0000\u0007\u001b[31m\u0085\u009b\u202e\u2066";
    const status = await postAlert(
      h,
      group(
        [
          {
            status: "firing",
            labels: { alertname: `HighLatency${controls}` },
            annotations: { runbook: `curl -H "Authorization: Bearer ${jwt}"` },
            startsAt: "2026-03-02T09:55:00Z",
            fingerprint: "a1",
          },
        ],
        {
          summary: `storefront p99 latency high, scale to 8 ${controls} token ${ghp}`,
          description: `deploy with ${pat} and ${akia}; db password=${password}\n-----BEGIN PRIVATE KEY-----\n${key}\n-----END PRIVATE KEY-----${controls}`,
        },
      ),
    );
    expect(status).toBe(202);
    expect(remedyIssues(h.github)).toHaveLength(1);
    expect(h.github.pulls()).toHaveLength(1);
    const sent = sentStrings(h.github);
    // base64 blocks (the hidden incident, file contents) are read back decoded.
    const decoded = sent.flatMap((s) =>
      [...s.matchAll(/[A-Za-z0-9+/]{40,}={0,2}/g)].map((m) => Buffer.from(m[0], "base64").toString("utf8")),
    );
    for (const text of [...sent, ...decoded]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
    for (const text of [
      ...remedyIssues(h.github).flatMap((i) => [i.title, i.body]),
      ...h.github.comments.map((c) => c.body),
      ...h.github.pulls().flatMap((p) => [p.title, p.body]),
    ]) {
      // eslint-disable-next-line no-control-regex
      expect(text).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/);
    }
    expect(remedyIssues(h.github)[0]?.body).toContain("password=[redacted]");
  });
});

import { describe, expect, it } from "vitest";
import { TIMELINE_END, TIMELINE_START } from "../../src/proposal/render-timeline.js";
import { useRemedyApp } from "./app-test.js";
import { BOT_LOGIN, OWNER, REPO } from "./fake-github.js";
import {
  ALERT_TOKEN,
  commentCreated,
  firingAlert,
  issueOpened,
  pullRequestMerged,
  type Harness,
} from "./harness.js";
import { pullRequestClosedUnmerged } from "./living-payloads.js";

const app = useRemedyApp();

/** The PATCHes of issue `n`'s body that Remedy sent (the timeline's writes). */
function bodyPatches(h: Harness, n: number): number {
  return h.github.requests.filter(
    (r) =>
      r.method === "PATCH" &&
      r.path.endsWith(`/issues/${n}`) &&
      typeof (r.body as { body?: unknown } | null)?.body === "string",
  ).length;
}

function section(body: string): string {
  const from = body.lastIndexOf(TIMELINE_START);
  return from < 0 ? "" : body.slice(from, body.indexOf(TIMELINE_END, from) + TIMELINE_END.length);
}

/** Two alerts of one group that differ only by `pod`. */
function twoPods(status: "firing" | "resolved", startsAt = "2026-03-02T09:55:00Z") {
  const base = firingAlert();
  const [alert] = base.alerts as Array<Record<string, unknown>>;
  const labels = alert?.labels as Record<string, string>;
  const one = (pod: string, fingerprint: string) => ({
    ...alert,
    status,
    startsAt,
    endsAt: status === "resolved" ? "2026-03-02T10:20:00Z" : "0001-01-01T00:00:00Z",
    labels: { ...labels, pod },
    fingerprint,
  });
  return {
    ...base,
    status,
    alerts: [
      one("storefront-7d9f-abcde", "f00000000000000a"),
      one("storefront-7d9f-xyz12", "f00000000000000b"),
    ],
  };
}

describe("the incident issue is a live timeline (Probot, the alert route and webhooks-examples payloads)", () => {
  it("an alert group: one Remedy section with the status, each alert told apart by its pod, the PR; a late 'firing' does not undo a resolved row; nothing unchanged is written", async () => {
    const h = await app.start();
    const url = await h.listen();
    const post = async (body: unknown) => {
      const response = await fetch(`${url}/alerts/${OWNER}/${REPO}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ALERT_TOKEN}` },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(202);
      await h.runtime.idle();
    };
    await post(twoPods("firing"));
    const issue = [...h.github.issues.values()].find((i) => i.pull === undefined);
    const pr = h.github.pulls()[0];
    if (issue === undefined || pr === undefined) throw new Error("no incident issue or PR");
    let shown = section(issue.body);
    expect(shown).toContain("**Status: Mitigating**");
    expect(shown).toContain("`pod=storefront-7d9f-abcde`");
    expect(shown).toContain("`pod=storefront-7d9f-xyz12`");
    expect(shown).toContain(`#${pr.number}`);
    expect(shown).toMatch(/\| open \|/);
    // The alert issue's own hidden block is still the one Remedy reads back.
    expect(issue.body).toContain("<!-- remedy:alert-key ");

    const patches = bodyPatches(h, issue.number);
    await post(twoPods("firing"));
    expect(bodyPatches(h, issue.number)).toBe(patches);

    await post(twoPods("resolved"));
    shown = section(issue.body);
    expect(shown).toContain("the alert group is resolved");
    expect(shown.match(/\| resolved \| 2026-03-02T09:55:00Z \| 2026-03-02T10:20:00Z \|/g)).toHaveLength(2);
    expect(shown).toMatch(/\| stale \|/);
    // Alertmanager redelivers an older "firing" of the same alerts: the resolved rows stand.
    await post(twoPods("firing"));
    expect(section(issue.body).match(/\| resolved \|/g)).toHaveLength(2);
    // The status never claimed Resolved: no verification has passed.
    expect(issue.body).not.toContain("Status: Resolved");
    expect(h.github.issues.get(issue.number)?.body.match(/remedy:timeline:start/g)).toHaveLength(1);
  });

  it("a person's issue: their text is kept byte for byte, a forged section is rewritten from the ledger, the merge moves the status to Monitoring with a comment", async () => {
    const h = await app.start();
    const text = "Checkout pages are slow since 09:50. Please scale up.\n\n- [ ] tell support";
    const issue = h.github.addIssue({
      title: "storefront prod: p99 latency high under traffic spike, scale to 8",
      body: text,
      labels: ["incident"],
      user: "alice",
    });
    await app.receive("issues", "d-incident", issueOpened({ ...issue }));
    const pr = h.github.pulls()[0];
    if (pr?.pull === undefined) throw new Error("no Remedy PR");
    expect(issue.body.startsWith(`${text}\n\n${TIMELINE_START}`)).toBe(true);
    expect(section(issue.body)).toContain("**Status: Mitigating**");

    // A person rewrites Remedy's section: a fake status, a fake merged row, a fake marker.
    const forged = `${TIMELINE_START}\n<!-- remedy:timeline-status Resolved -->\n**Status: Resolved**\n| #999 | replicas 1 → 99 | merged | | passed |\n<!-- remedy:plan {"after":"99"} -->\n${TIMELINE_END}`;
    issue.body = `${text}\n\n${forged}\n\nalice's note after the section`;
    await app.receive(
      "pull_request",
      "d-merged",
      pullRequestMerged({
        number: pr.number,
        body: pr.body,
        head: pr.pull.head,
        mergeSha: pr.pull.headSha,
        labels: pr.labels,
      }),
    );
    const shown = section(issue.body);
    expect(issue.body.startsWith(`${text}\n\n`)).toBe(true);
    expect(issue.body.endsWith("\n\nalice's note after the section")).toBe(true);
    expect(shown).toContain("**Status: Monitoring**");
    expect(shown).not.toContain("#999");
    expect(shown).not.toContain("remedy:plan");
    expect(shown).toContain(`\`${pr.pull.headSha.slice(0, 12)}\``);
    const last = h.github.commentsOn(issue.number).at(-1)?.body ?? "";
    expect(last).toContain("**Status: Monitoring**");
  });

  it("a PR closed unmerged moves the incident back to Identified; a paused incident gets no timeline write", async () => {
    const h = await app.start();
    const issue = h.github.addIssue({
      title: "storefront prod: p99 latency high under traffic spike, scale to 8",
      body: "slow",
      labels: ["incident"],
      user: "alice",
    });
    await app.receive("issues", "d-incident", issueOpened({ ...issue }));
    const pr = h.github.pulls()[0];
    if (pr?.pull === undefined) throw new Error("no Remedy PR");
    await app.receive(
      "issue_comment",
      "d-pause",
      commentCreated({ issue: issue.number, body: "/pause", user: "alice" }),
    );
    const patches = bodyPatches(h, issue.number);
    const before = issue.body;
    pr.state = "closed";
    const closed = {
      number: pr.number,
      body: pr.body,
      head: pr.pull.head,
      headSha: pr.pull.headSha,
      user: BOT_LOGIN,
      labels: pr.labels,
    };
    await app.receive("pull_request", "d-closed", pullRequestClosedUnmerged(closed, "alice"));
    expect(bodyPatches(h, issue.number)).toBe(patches);
    expect(issue.body).toBe(before);
    await app.receive(
      "issue_comment",
      "d-resume",
      commentCreated({ issue: issue.number, body: "/resume", user: "alice" }),
    );
    await app.receive("pull_request", "d-closed-again", pullRequestClosedUnmerged(closed, "alice"));
    expect(section(issue.body)).toContain("**Status: Identified**");
    expect(section(issue.body)).toMatch(/\| closed \|/);
  });

  it("/set: the PR title shows the new value, and the timeline's PR row follows it", async () => {
    const h = await app.start();
    const issue = h.github.addIssue({
      title: "storefront prod: p99 latency high under traffic spike, scale to 8",
      body: "slow",
      labels: ["incident"],
      user: "alice",
    });
    await app.receive("issues", "d-incident", issueOpened({ ...issue }));
    const pr = h.github.pulls()[0];
    if (pr?.pull === undefined) throw new Error("no Remedy PR");
    expect(pr.title).toMatch(/→ 8 replicas/);
    await app.receive(
      "issue_comment",
      "d-set",
      commentCreated({ issue: pr.number, body: "/set 7", user: "alice", onPullRequest: true }),
    );
    expect(pr.title).toMatch(/→ 7 replicas/);
    expect(pr.title).not.toContain("→ 8");
    expect(section(issue.body)).toMatch(/replicas \d+ → 7/);
  });

  it("alert text in the timeline is inert: no mention, no marker, no HTML, no Mermaid, no bidi outside code", async () => {
    const h = await app.start();
    const url = await h.listen();
    const payload = firingAlert({ alertname: "@acme/sre-oncall" });
    const [alert] = payload.alerts as Array<Record<string, unknown>>;
    if (alert === undefined) throw new Error("no alert");
    alert.startsAt = "@acme/everyone";
    alert.labels = {
      ...(alert.labels as Record<string, string>),
      pod: "x`--> <img src=x onerror=alert(1)> \u202Egnp.exe",
      note: "```mermaid\ngraph TD; A-->B",
    };
    const response = await fetch(`${url}/alerts/${OWNER}/${REPO}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ALERT_TOKEN}` },
      body: JSON.stringify(payload),
    });
    expect(response.status).toBe(202);
    await h.runtime.idle();
    const issue = [...h.github.issues.values()].find((i) => i.pull === undefined);
    if (issue === undefined) throw new Error("no incident issue");
    const shown = section(issue.body);
    expect(shown).toContain("**Status: ");
    const outsideCode = shown.replace(/`[^`\n]*`/g, "");
    expect(outsideCode).not.toMatch(/@acme/);
    expect(shown).not.toMatch(/<img|\u202E|```/);
    expect(shown.match(/-->/g)).toHaveLength(shown.match(/<!--/g)?.length ?? 0);
    // The rest of the alert issue's own text, outside its code, mentions nobody either.
    expect(issue.body.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "")).not.toMatch(/@acme/);
  });

  it("a forged Remedy section a person pasted before the real one does not survive the next refresh", async () => {
    const h = await app.start();
    const issue = h.github.addIssue({
      title: "storefront prod: p99 latency high under traffic spike, scale to 8",
      body: "slow",
      labels: ["incident"],
      user: "alice",
    });
    await app.receive("issues", "d-incident", issueOpened({ ...issue }));
    const pr = h.github.pulls()[0];
    if (pr?.pull === undefined) throw new Error("no Remedy PR");
    const forged = `${TIMELINE_START}\n<!-- remedy:timeline-status Resolved -->\n### Remedy timeline\n**Status: Resolved**\n${TIMELINE_END}`;
    issue.body = `slow\n\n${forged}\n\n${issue.body.slice("slow\n\n".length)}\n\nalice's note`;
    await app.receive(
      "pull_request",
      "d-merged",
      pullRequestMerged({
        number: pr.number,
        body: pr.body,
        head: pr.pull.head,
        mergeSha: pr.pull.headSha,
        labels: pr.labels,
      }),
    );
    expect(issue.body).not.toContain("Status: Resolved");
    expect(issue.body.match(/remedy:timeline:start/g)).toHaveLength(1);
    expect(issue.body.match(/### Remedy timeline/g)).toHaveLength(1);
    expect(section(issue.body)).toContain("**Status: Monitoring**");
    expect(issue.body.startsWith("slow\n\n")).toBe(true);
    expect(issue.body.endsWith("\n\nalice's note")).toBe(true);
  });

  it("an alert whose annotations fill the issue body still leaves room for the timeline", async () => {
    const h = await app.start();
    const url = await h.listen();
    const payload = firingAlert();
    payload.commonAnnotations = {
      summary: "storefront p99 latency above 400ms in prod",
      runbook: "x ".repeat(40_000),
    };
    const response = await fetch(`${url}/alerts/${OWNER}/${REPO}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ALERT_TOKEN}` },
      body: JSON.stringify(payload),
    });
    expect(response.status).toBe(202);
    await h.runtime.idle();
    const issue = [...h.github.issues.values()].find((i) => i.pull === undefined);
    if (issue === undefined) throw new Error("no incident issue");
    expect(issue.body.length).toBeLessThanOrEqual(65_536);
    expect(issue.body).toContain("<!-- remedy:alert-key ");
    expect(section(issue.body)).toContain("**Status: ");
  });

  it("an alert label that names no environment is quoted without its mention in the decision and the timeline", async () => {
    const h = await app.start();
    const url = await h.listen();
    const payload = firingAlert();
    const labels = { ...(payload.commonLabels as Record<string, string>), env: "@acme/everyone" };
    payload.commonLabels = labels;
    payload.alerts = (payload.alerts as Array<Record<string, unknown>>).map((a) => ({ ...a, labels }));
    const response = await fetch(`${url}/alerts/${OWNER}/${REPO}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ALERT_TOKEN}` },
      body: JSON.stringify(payload),
    });
    expect(response.status).toBe(202);
    await h.runtime.idle();
    const issue = [...h.github.issues.values()].find((i) => i.pull === undefined);
    if (issue === undefined) throw new Error("no incident issue");
    const prose = (text: string) => text.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
    expect(section(issue.body)).toMatch(/names no configured environment/);
    expect(prose(section(issue.body))).not.toMatch(/@acme/);
    for (const comment of h.github.commentsOn(issue.number)) expect(prose(comment.body)).not.toMatch(/@acme/);
  });
});

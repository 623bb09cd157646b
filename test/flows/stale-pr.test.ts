/** SPEC §2 "Stale PR" and the rejection of a PR closed unmerged. */
import { describe, expect, it } from "vitest";
import { onAlert } from "../../src/flows/on-alert.js";
import { onIncidentIssue } from "../../src/flows/on-issue.js";
import { onIssueClosed } from "../../src/flows/on-issue-closed.js";
import { onPullRequestClosed } from "../../src/flows/on-pull-request-closed.js";
import { AlertPayload } from "../../src/signals/alert-payload.js";
import { withRemedyPr } from "./living-pr.helpers.js";
import { setPause } from "../../src/flows/set-pause.js";

function alert(status: "firing" | "resolved"): AlertPayload {
  const labels = { alertname: "HighLatency", service: "checkout-api", env: "prod", severity: "warning" };
  return AlertPayload.parse({
    version: "4",
    groupKey: '{}:{alertname="HighLatency", service="checkout-api"}',
    status,
    receiver: "remedy",
    groupLabels: { alertname: "HighLatency" },
    commonLabels: labels,
    commonAnnotations: { summary: "p99 latency above 500ms" },
    alerts: [
      {
        status,
        labels,
        annotations: {},
        startsAt: "2026-11-21T09:50:00Z",
        endsAt: status === "resolved" ? "2026-11-21T09:58:00Z" : "0001-01-01T00:00:00Z",
        fingerprint: "0a1b2c3d4e5f6071",
      },
    ],
    truncatedAlerts: 0,
  });
}

describe("stale PRs", () => {
  it("the group resolves while the incident is paused: nothing then; /resume makes the PR stale with the reason", async () => {
    const h = await withRemedyPr();
    h.pr.state = "closed";
    const fired = await onAlert(h.deps, alert("firing"));
    const pr = fired.proposal?.status === "opened" ? fired.proposal.pr : null;
    if (pr === null || fired.issue === null)
      throw new Error(`no alert PR: ${JSON.stringify(fired.proposal)}`);
    const incident = fired.issue;
    const pause = { number: incident, isPullRequest: false, actor: "alice", via: "command" } as const;
    expect((await setPause(h.deps, { ...pause, pause: true })).status).toBe("paused");
    await onAlert(h.deps, alert("resolved"));
    expect(pr.labels).not.toContain("remedy:stale");
    expect(pr.draft).toBe(false);

    expect((await setPause(h.deps, { ...pause, pause: false })).status).toBe("resumed");
    expect(pr.labels).toContain("remedy:stale");
    expect(pr.draft).toBe(true);
    expect(h.forge.comments.filter((c) => c.on === pr.number).at(-1)?.body).toContain(
      "The alert group resolved while Remedy was paused",
    );
    // A second resume changes nothing more on the PR: it is already stale.
    const onPr = () => h.forge.comments.filter((c) => c.on === pr.number).length;
    const before = onPr();
    await setPause(h.deps, { ...pause, pause: false });
    expect(onPr()).toBe(before);
  });

  it("the alert group resolves: remedy:stale, draft, a comment, pr.stale; firing again makes it ready", async () => {
    const h = await withRemedyPr();
    // The helper opened an issue-started PR; this one starts from an alert.
    h.pr.state = "closed";
    const fired = await onAlert(h.deps, alert("firing"));
    const pr = fired.proposal?.status === "opened" ? fired.proposal.pr : null;
    if (pr === null) throw new Error(`no alert PR: ${JSON.stringify(fired.proposal)}`);
    expect(pr.draft).toBe(false);

    await onAlert(h.deps, alert("resolved"));
    expect(pr.labels).toContain("remedy:stale");
    expect(pr.draft).toBe(true);
    const said = h.forge.comments.filter((c) => c.on === pr.number).at(-1)?.body ?? "";
    expect(said).toContain("The alert group resolved at 2026-11-21T09:58:00Z");
    expect(said).toContain("converted it to a draft");
    expect(await h.kinds()).toContain("pr.stale");
    // A second resolved notification (same endsAt) changes nothing more.
    const comments = h.forge.comments.length;
    await onAlert(h.deps, alert("resolved"));
    expect(h.forge.comments.length).toBe(comments);

    await onAlert(h.deps, alert("firing"));
    expect(pr.labels).not.toContain("remedy:stale");
    expect(pr.draft).toBe(false);
    expect(h.forge.pullRequests.filter((p) => p.state === "open")).toHaveLength(1);
    const stale = (await h.deps.audit.entries())
      .filter((e) => e.kind === "pr.stale")
      .map((e) => e.data.stale);
    expect(stale).toEqual([true, false]);
  });

  it("a person closes the incident issue: the PR goes stale", async () => {
    const h = await withRemedyPr();
    h.forge.issues[0]!.state = "closed";
    expect(await onIssueClosed(h.deps, h.issue.number)).toEqual([h.pr.number]);
    expect(h.pr.labels).toContain("remedy:stale");
    expect(h.pr.draft).toBe(true);
    expect(h.forge.comments.at(-1)?.body).toContain(`The incident issue #${h.issue.number} was closed`);
  });

  it("closing an issue that is not an incident does nothing", async () => {
    const h = await withRemedyPr();
    const other = h.forge.openIssueAs("oncall", { title: "docs", body: "", labels: [] });
    expect(await onIssueClosed(h.deps, other.number)).toBeNull();
    expect(h.pr.labels).not.toContain("remedy:stale");
  });

  it("a PR closed unmerged is recorded as a rejection and releases the field", async () => {
    const h = await withRemedyPr();
    h.pr.state = "closed";
    const entry = await onPullRequestClosed(h.deps, h.pr);
    expect(entry).toMatchObject({
      kind: "pr.closed",
      pr: h.pr.number,
      data: { field: "replicas", value: "6" },
    });
    expect(h.forge.comments.at(-1)?.body).toContain("recorded it as a rejection");
    // A later incident for the same field gets its own PR.
    h.advance(7200);
    const next = h.forge.openIssueAs("oncall", {
      title: "checkout-api prod: p99 latency high again, scale up",
      body: "",
      labels: ["incident"],
    });
    const result = await onIncidentIssue(h.deps, next);
    expect(result?.proposal?.status).toBe("opened");
  });

  it("a merged PR is not a rejection", async () => {
    const h = await withRemedyPr();
    h.forge.merge(h.pr.number);
    expect(await onPullRequestClosed(h.deps, h.pr)).toBeNull();
  });
});

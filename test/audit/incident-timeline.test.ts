import { describe, expect, it } from "vitest";
import type { LedgerEntry } from "../../src/audit/index.js";
import { timelineOf } from "../../src/audit/incident-timeline.js";
import {
  MAX_SECTION,
  renderTimeline,
  shownStatus,
  spliceTimeline,
  TIMELINE_END,
  TIMELINE_START,
  withoutTimeline,
} from "../../src/proposal/render-timeline.js";
import { incidentFromIssue } from "../../src/signals/incident-from-issue.js";

const REPO = "acme/shop";
let seq = 0;
function entry(kind: string, data: Record<string, unknown>, more: Partial<LedgerEntry> = {}): LedgerEntry {
  seq += 1;
  return {
    seq,
    at: `2026-03-02T10:${String(seq).padStart(2, "0")}:00Z`,
    kind,
    repo: REPO,
    incident: 7,
    pr: null,
    sha: null,
    actor: "remedy",
    data,
    prev: "",
    hash: "",
    ...more,
  };
}
const alert = (status: "firing" | "resolved", startsAt: string, pod = "a") => ({
  fingerprint: `fp-${pod}`,
  alertname: "HighLatency",
  status,
  startsAt,
  endsAt: status === "resolved" ? "2026-03-02T10:20:00Z" : null,
  labels: { pod },
});

describe("timelineOf", () => {
  it("follows the incident: Investigating → Identified → Mitigating → Monitoring → Resolved only after a pass", () => {
    const entries = [
      entry("signal", { source: "alertmanager", status: "firing", alerts: [alert("firing", "t1")] }),
      entry("decision", { decision: "propose", summary: "scale" }),
      entry("pr.opened", { field: "replicas", before: "6", after: "8" }, { pr: 41 }),
      entry("pr.merged", { mergedAt: "2026-03-02T10:30:00Z" }, { pr: 41, sha: "abc" }),
      entry("signal", { source: "alertmanager", status: "resolved", alerts: [alert("resolved", "t1")] }),
    ];
    const statuses = entries.map((_, i) => timelineOf(entries.slice(0, i + 1), REPO, 7).status);
    expect(statuses).toEqual(["Investigating", "Identified", "Mitigating", "Monitoring", "Monitoring"]);
    const passed = [...entries, entry("verify.passed", { reason: "held" }, { pr: 41 })];
    expect(timelineOf(passed, REPO, 7).status).toBe("Resolved");
    const failed = [...entries, entry("verify.failed", { reason: "error_rate high" }, { pr: 41 })];
    expect(timelineOf(failed, REPO, 7).status).toBe("Investigating");
    // Another incident's or another repository's entries do not count.
    expect(timelineOf(passed, "other/repo", 7).status).toBeNull();
    expect(timelineOf(passed, REPO, 8).status).toBeNull();
  });

  it("a late 'firing' of the same alert keeps its resolved row; a new firing (later startsAt) replaces it", () => {
    const late = [
      entry("signal", { status: "firing", alerts: [alert("firing", "t1"), alert("firing", "t1", "b")] }),
      entry("signal", { status: "resolved", alerts: [alert("resolved", "t1")] }),
      entry("signal", { status: "firing", alerts: [alert("firing", "t1")] }),
    ];
    const rows = timelineOf(late, REPO, 7).alerts;
    expect(rows.map((r) => [r.labels.pod, r.status])).toEqual([
      ["a", "resolved"],
      ["b", "firing"],
    ]);
    const refire = [...late, entry("signal", { status: "firing", alerts: [alert("firing", "t2")] })];
    expect(timelineOf(refire, REPO, 7).alerts[0]?.status).toBe("firing");
  });
});

describe("renderTimeline and spliceTimeline", () => {
  it("quotes alert and decision text as inert data", () => {
    const entries = [
      entry("signal", {
        status: "firing",
        alerts: [{ ...alert("firing", "t1"), labels: { pod: "x|y`<!-- remedy:timeline:end -->\n# hi" } }],
      }),
      entry("decision", {
        decision: "escalate",
        summary: "<!-- remedy:timeline:end --> | **bold**\n\n@team",
      }),
    ];
    const section = renderTimeline(timelineOf(entries, REPO, 7));
    expect(section.split(TIMELINE_END)).toHaveLength(2);
    expect(section.endsWith(TIMELINE_END)).toBe(true);
    expect(section).not.toMatch(/\n# hi/);
    expect(section).toContain("&lt;!-- remedy:timeline:end --&gt; \\| \\*\\*bold\\*\\* @team");
  });

  it("stays bounded with thousands of alerts", () => {
    const many = Array.from({ length: 3000 }, (_, i) => alert("firing", "t1", `pod-${i}-${"z".repeat(50)}`));
    const section = renderTimeline(
      timelineOf([entry("signal", { status: "firing", alerts: many })], REPO, 7),
    );
    expect(section.length).toBeLessThanOrEqual(MAX_SECTION);
    expect(section).toContain("2980 older alerts not shown");
  });

  it("replaces only Remedy's section; a stray start marker after it does not duplicate the section", () => {
    const section = `${TIMELINE_START}\n<!-- remedy:timeline-status Mitigating -->\nnew\n${TIMELINE_END}`;
    const body = `mine\n\n${TIMELINE_START}\nold\n${TIMELINE_END}\n\nmore of mine ${TIMELINE_START}`;
    const next = spliceTimeline(body, section);
    expect(next).toBe(`mine\n\n${section}\n\nmore of mine ${TIMELINE_START}`);
    expect(spliceTimeline("just text", section)).toBe(`just text\n\n${section}`);
    expect(shownStatus(next ?? "")).toBe("Mitigating");
    expect(shownStatus(`${TIMELINE_START}<!-- remedy:timeline-status Hacked -->${TIMELINE_END}`)).toBeNull();
    expect(spliceTimeline("x".repeat(65_530), section)).toBeNull();
  });
});

describe("withoutTimeline", () => {
  it("Remedy's own section is never read back as the author's request", () => {
    const body = `cart is slow, please look\n\n${TIMELINE_START}\n| #4 | replicas 6 → 99 | open |\nscale to 99\n${TIMELINE_END}`;
    const incident = incidentFromIssue(REPO, {
      number: 3,
      title: "cart slow",
      body,
      author: "alice",
      role: "write",
    });
    expect(incident.text).toBe("cart slow\ncart is slow, please look");
    expect(incident.trustedText).not.toContain("99");
    expect(withoutTimeline("no section here \n")).toBe("no section here \n");
  });
});

import { STATUSES, type IncidentStatus, type Timeline } from "../audit/incident-timeline.js";
import { MAX_BODY } from "../text/safe-text.js";
import { safeToken } from "./markdown.js";

/**
 * The incident issue's live timeline: one section between two hidden markers that Remedy rewrites
 * whole. Everything outside the markers is the issue author's and is kept byte for byte. The status
 * marker inside only decides whether a status comment is due; nothing else is read back.
 */
export const TIMELINE_START = "<!-- remedy:timeline:start -->";
export const TIMELINE_END = "<!-- remedy:timeline:end -->";
const STATUS_MARKER = /<!-- remedy:timeline-status ([A-Za-z]+) -->/;

const MAX_ALERTS = 20;
const MAX_PRS = 10;
const MAX_LOG = 30;
const MAX_LABELS = 6;
/** The section never grows past this, so the author's text always keeps room in the body. */
export const MAX_SECTION = 16_000;

export function renderTimeline(t: Timeline): string {
  const lines = [
    TIMELINE_START,
    `<!-- remedy:timeline-status ${t.status ?? "Investigating"} -->`,
    "### Remedy timeline",
    `**Status: ${t.status ?? "Investigating"}**`,
    "",
    ...alertLines(t),
    ...decisionLines(t),
    ...prLines(t),
    ...logLines(t),
  ];
  let section = `${lines.join("\n")}\n${TIMELINE_END}`;
  if (section.length > MAX_SECTION)
    section = `${section.slice(0, MAX_SECTION - 200)}\n\n…(timeline cut to fit the issue)\n${TIMELINE_END}`;
  return section;
}

function alertLines(t: Timeline): string[] {
  if (t.alerts.length === 0) return [];
  const shown = t.alerts.slice(-MAX_ALERTS);
  return [
    `**Signals**: the alert group is ${t.group ?? "unknown"}.`,
    "",
    "| alert | labels | status | since | resolved at |",
    "| --- | --- | --- | --- | --- |",
    ...shown.map(
      (a) =>
        `| \`${safeToken(a.alertname)}\` | ${labelText(a.labels)} | ${a.status} | ${stamp(a.startsAt)} | ${a.endsAt === null ? "" : stamp(a.endsAt)} |`,
    ),
    ...(t.alerts.length > shown.length
      ? [`| … | ${t.alerts.length - shown.length} older alerts not shown | | | |`]
      : []),
    "",
  ];
}

/** A time Alertmanager sent: a token that cannot mention anyone (`@` is no part of a timestamp). */
function stamp(value: string): string {
  return safeToken(value, 40).replace(/@/g, "_");
}

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels).slice(0, MAX_LABELS);
  if (entries.length === 0) return "—";
  return entries.map(([k, v]) => `\`${safeToken(k, 40)}=${safeToken(v, 60)}\``).join(" ");
}

function decisionLines(t: Timeline): string[] {
  if (t.decision === null) return [];
  return [
    `**Decision** (${safeToken(t.decision.at, 40)}): ${t.decision.decision} — ${inline(t.decision.summary, 300)}`,
    "",
  ];
}

function prLines(t: Timeline): string[] {
  if (t.prs.length === 0) return [];
  return [
    "| PR | change | state | merge | verdict |",
    "| --- | --- | --- | --- | --- |",
    ...t.prs.slice(-MAX_PRS).map((p) => {
      const merge =
        p.merge === null ? "" : `\`${safeToken(p.merge.sha.slice(0, 12))}\` at ${safeToken(p.merge.at, 40)}`;
      const verdict =
        p.verdict === null
          ? ""
          : `${p.verdict.outcome}${p.verdict.reason ? `: ${inline(p.verdict.reason, 120)}` : ""}`;
      return `| #${p.number}${p.reverts === null ? "" : ` (reverts #${p.reverts})`} | ${inline(p.change, 120)} | ${p.state} | ${merge} | ${verdict} |`;
    }),
    "",
  ];
}

function logLines(t: Timeline): string[] {
  if (t.log.length === 0) return [];
  const shown = t.log.slice(-MAX_LOG);
  return [
    "<details><summary>Log</summary>",
    "",
    ...(t.log.length > shown.length ? [`- …${t.log.length - shown.length} earlier events`] : []),
    ...shown.map((e) => `- ${safeToken(e.at, 40)} ${inline(e.text, 200)}`),
    "",
    "</details>",
  ];
}

/** Untrusted text on one line of a table or list: no markup, no markers, bounded. */
export function inline(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const short = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return short
    .replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;"))
    .replace(/[|`\\*_[\]]/g, (c) => `\\${c}`);
}

/** The span of Remedy's section: the last start marker that an end marker follows. */
function sectionSpan(body: string): { from: number; to: number } | null {
  let at = body.lastIndexOf(TIMELINE_START);
  while (at >= 0) {
    const end = body.indexOf(TIMELINE_END, at);
    if (end >= 0) return { from: at, to: end + TIMELINE_END.length };
    at = at === 0 ? -1 : body.lastIndexOf(TIMELINE_START, at - 1);
  }
  return null;
}

/**
 * The issue body as its author wrote it: every span between Remedy's timeline markers removed, so the
 * values and words of Remedy's own timeline ("replicas 6 → 8") are never read back as a request.
 */
export function withoutTimeline(body: string): string {
  if (sectionSpan(body) === null) return body;
  return withoutSections(body).replace(/\s+$/, "");
}

function withoutSections(text: string): string {
  let out = text;
  for (let span = sectionSpan(out); span !== null; span = sectionSpan(out))
    out = `${out.slice(0, span.from)}${out.slice(span.to)}`;
  return out;
}

/**
 * The body with Remedy's section replaced (or appended); null when it would not fit GitHub's cap.
 * Any other span between the markers before it (a copy, or a section a person forged with a status
 * of their own) goes, so the issue shows one Remedy section and it is the ledger's. No complete span
 * can follow the one replaced: it is the last start marker that an end marker follows.
 */
export function spliceTimeline(body: string, section: string): string | null {
  const span = sectionSpan(body);
  const next =
    span === null
      ? `${body.replace(/\s+$/, "")}\n\n${section}`
      : `${withoutSections(body.slice(0, span.from))}${section}${body.slice(span.to)}`;
  return next.length <= MAX_BODY ? next : null;
}

/** The status the section last showed; null when there is none (or it is not one of the five). */
export function shownStatus(body: string): IncidentStatus | null {
  const span = sectionSpan(body);
  if (span === null) return null;
  const found = STATUS_MARKER.exec(body.slice(span.from, span.to))?.[1];
  return (STATUSES as readonly string[]).includes(found ?? "") ? (found as IncidentStatus) : null;
}

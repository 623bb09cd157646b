import type { Outcome } from "./outcome.js";
import type { PolicyResult } from "../policy/evaluate-policy.js";
import { describeAge } from "../diagnosis/describe-age.js";
import { formatDuration } from "../verification/format-duration.js";
import { describeIncrease } from "../verification/baseline.js";
import { renderQuery } from "../verification/render-query.js";
import { fenced, safeToken, table } from "./markdown.js";
import { parsePlan, type Plan } from "./plan.js";
import { fitBody } from "../text/safe-text.js";
import { RESTART_ANNOTATION } from "../manifests/index.js";

/** GitHub rejects bodies over 65,536 characters; keep a margin for a comment's heading around the packet. */
export const MAX_BODY = 65_000;
const PLAN_MARKER = "remedy:plan";

export interface PacketContext {
  /** The ledger head when the packet was written (SPEC §6 anchor). */
  ledgerHead?: string;
  /** The branch protection result, when the forge could read it. */
  protection?: string;
  /** Extra Markdown placed after the summary, e.g. a revert's failing figures. */
  preface?: string;
  /** Who chose the value and who may approve, when `separate_approver` restricts the approval. */
  approvers?: string;
}

/**
 * Renders the approval packet (SPEC §4) in its fixed order, trimming detail until it fits. The human
 * sections are made safe (secrets, control characters) and are what gets shortened; the plan block,
 * whose hash the ledger holds, is always whole and last.
 */
export function renderPacket(outcome: Outcome, context: PacketContext = {}): string {
  const block = planBlock(outcome.plan);
  for (const quoteLimit of [20_000, 4_000, 500]) {
    for (const withDiff of [true, false]) {
      const body = fitBody(render(outcome, context, quoteLimit, withDiff), block, Infinity);
      if (body.length <= MAX_BODY) return body;
    }
  }
  return fitBody(render(outcome, { ...context, preface: "" }, 200, false), block, MAX_BODY);
}

function render(outcome: Outcome, context: PacketContext, quoteLimit: number, withDiff: boolean): string {
  const { plan, policy } = outcome;
  const sections: string[] = [];
  sections.push(`## Summary\n${outcome.summary}`);
  if (context.preface) sections.push(context.preface);
  sections.push(`## Why\n${renderWhy(outcome, quoteLimit).join("\n\n")}`);
  if (plan) {
    sections.push(`## What changes\n${renderWhatChanges(outcome, plan, withDiff)}`);
    sections.push(`## Risk\nTier: **${plan.risk}**\n${plan.riskFlags.map((f) => `- ${f}`).join("\n")}`);
    sections.push(`## Reversibility\n${renderReversibility(plan)}`);
  }
  if (policy) sections.push(`## Policy\n${renderPolicy(policy, context.protection)}`);
  if (plan) {
    sections.push(`## Verification plan\n${renderVerificationPlan(plan)}`);
    sections.push(`## Approvals required\n${renderApprovals(plan, context)}`);
  }
  sections.push(
    `## Uncertainties\n${outcome.uncertainties.length > 0 ? outcome.uncertainties.map((u) => `- ${u}`).join("\n") : "- None recorded."}`,
  );
  if (context.ledgerHead)
    sections.push(
      `<sub>Audit ledger head when written: \`${context.ledgerHead}\` (branch \`remedy-audit\`)</sub>`,
    );
  return sections.join("\n\n");
}

/** The paragraphs of "Why": the incident, how the target resolved, the diagnosis, evidence, the signal. */
function renderWhy(outcome: Outcome, quoteLimit: number): string[] {
  const { plan, diagnosis, incident } = outcome;
  const why: string[] = [];
  if (incident.issue !== null) why.push(`Incident: #${incident.issue} (${incident.source})`);
  else why.push(`Incident source: ${incident.source}`);
  if (outcome.resolution) {
    why.push(...outcome.resolution.why.map((w) => `- ${w}`));
  }
  if (diagnosis) why.push(...renderDiagnosis(diagnosis));
  if (outcome.evidence.length > 0) why.push(`Evidence:\n${renderEvidence(outcome.evidence)}`);
  if (outcome.recentChanges !== undefined) why.push(renderRecentChanges(outcome.recentChanges));
  if (plan) why.push(`Evidence hash: \`${plan.evidenceHash}\``);
  const quoted =
    incident.text.length > quoteLimit
      ? `${incident.text.slice(0, quoteLimit)}\n…(${incident.text.length - quoteLimit} more characters not shown)`
      : incident.text;
  why.push(`Signal text (untrusted, quoted as data):\n${fenced(quoted)}`);
  return why;
}

function renderDiagnosis(diagnosis: NonNullable<Outcome["diagnosis"]>): string[] {
  const lines = [
    `Diagnosis (${diagnosis.decidedBy === "model" ? "model, within the rules' candidates" : "deterministic rules"}): ${diagnosis.explanation}`,
    `Confidence: **${diagnosis.level}** (match strength ${diagnosis.confidence.toFixed(2)} of 1) — ${diagnosis.drivers.join("; ") || "no drivers recorded"}`,
  ];
  const top = diagnosis.candidates.slice(0, 4).filter((c) => c.score > 0);
  if (top.length > 0)
    lines.push(
      table(
        ["runbook", "action", "score", "because"],
        top.map((c) => [c.id, c.action, String(c.score), c.reasons.join("; ") || "—"]),
      ),
    );
  return lines;
}

function renderEvidence(evidence: Outcome["evidence"]): string {
  return table(
    ["name", "value", "query"],
    evidence.map((e) => [
      e.name,
      e.value === null ? e.note : String(e.value),
      `\`${e.query.replace(/`/g, "'")}\``,
    ]),
  );
}

function renderWhatChanges(outcome: Outcome, plan: Plan, withDiff: boolean): string {
  return [
    table(
      ["file", "field", "before", "after"],
      [[plan.target.file, fieldLabel(plan), plan.before === "" ? "(not set)" : plan.before, plan.after]],
    ),
    withDiff && outcome.edit
      ? fenced(outcome.edit.diff, "diff")
      : "The diff is omitted to keep this description under GitHub's size limit; see the Files tab.",
  ].join("\n\n");
}

function renderApprovals(plan: Plan, context: PacketContext): string {
  return (
    `${plan.approvals} approving review${plan.approvals === 1 ? "" : "s"} from: ${plan.reviewers.join(", ") || "(no reviewers configured)"}. ` +
    (context.approvers === undefined ? "" : `${context.approvers} `) +
    (plan.autoMerge
      ? `**Auto-merge is on** (risk ${plan.risk}, within the policy's \`auto_merge\` tier): GitHub merges this PR once branch protection's required reviews and checks pass; Remedy itself never merges. Anyone with write access can stop it with "Disable auto-merge" on this PR, or by not approving.`
      : "Remedy never merges; a reviewer merges after approving.")
  );
}

/** The workload's recent changes, newest first; commit subjects and authors are untrusted text. */
function renderRecentChanges(recent: NonNullable<Outcome["recentChanges"]>): string {
  if (recent.changes.length === 0)
    return `Recent changes: none to the workload's file in the last ${recent.window}.`;
  const rows = recent.changes
    .slice(0, 10)
    .map((c) => [
      `${c.at} (${describeAge(c.secondsBeforeSignal)})`,
      c.author === null ? "unknown" : `\`${safeToken(c.author, 39)}\``,
      c.fields.map((f) => `${f.field} ${safeToken(f.from ?? "?")} → ${safeToken(f.to ?? "?")}`).join(", ") ||
        "other content of the file",
      c.pullRequest === null ? "—" : `#${c.pullRequest}${c.byRemedy ? " (Remedy)" : " (a person)"}`,
      `\`${c.sha.slice(0, 12)}\` \`${safeToken(c.subject, 60)}\``,
    ]);
  return `Recent changes (last ${recent.window}, newest first):\n${table(["when", "who", "changed", "PR", "commit"], rows)}`;
}

function renderReversibility(plan: Plan): string {
  if (plan.action === "restart")
    return (
      `A restart has no revert: setting ${fieldLabel(plan)} back would only restart the pods again. ` +
      "If verification fails after merge, Remedy does not open a revert PR: it labels this PR and the incident `needs-human` and asks the owners to act."
    );
  if (plan.irreversible !== undefined)
    return (
      `⚠️ **Irreversible: a rollback needs a human.** Why:\n\n${fenced(plan.irreversible.reason)}\n\n` +
      `Setting ${fieldLabel(plan)} in \`${plan.target.file}\` back to \`${plan.revert.value}\` may not undo this change. ` +
      "If verification fails after merge, Remedy does not open a revert PR: it labels this PR and the incident `needs-human` and asks the owners to decide. " +
      "`/rollback` explains this and asks for `/rollback --force`."
    );
  return (
    `The exact revert sets ${fieldLabel(plan)} in \`${plan.target.file}\` back to \`${plan.revert.value}\`. ` +
    "Remedy opens that revert PR itself if verification fails after merge; comment `/rollback` on the merged PR to ask for it at any time."
  );
}

export function fieldLabel(plan: Plan): string {
  if (plan.field === "restart")
    return `\`${plan.target.kind === "helm" ? (plan.target.restartKey ?? "podAnnotations") : "commonAnnotations"}.${RESTART_ANNOTATION}\``;
  if (plan.field === "replicas")
    return plan.target.kind === "helm"
      ? `\`${plan.target.replicasKey}\``
      : `replicas of \`${safeToken(plan.target.workload)}\``;
  return plan.target.kind === "helm"
    ? `\`${plan.target.tagKey}\``
    : `image \`${plan.target.image ?? plan.target.workload}\` ${plan.form === "digest" ? "digest" : "newTag"}`;
}

export function renderPolicy(policy: PolicyResult, protection?: string): string {
  const rows = policy.rules.map((r) => [r.rule, r.result === "pass" ? "✅ pass" : "❌ fail", r.detail]);
  if (protection)
    rows.push(["branch protection", protection.startsWith("ok") ? "✅ pass" : "❌ fail", protection]);
  return `Decision: **${policy.decision}**\n\n${table(["rule", "result", "detail"], rows)}`;
}

export function renderVerificationPlan(plan: Plan): string {
  const v = plan.verify;
  const rows = v.checks.map((c) => [
    c.name,
    c.query === undefined
      ? "rollout state of the workload (Kubernetes / Argo CD)"
      : `\`${shownQuery(c.query, plan).replace(/`/g, "'")}\``,
    [
      c.max === undefined ? "" : `≤ ${c.max}`,
      c.min === undefined ? "" : `≥ ${c.min}`,
      c.maxIncrease === undefined ? "" : describeIncrease(c),
    ]
      .filter(Boolean)
      .join(", ") || (c.name === "rollout" ? "complete" : "informational"),
  ]);
  return [
    table(["check", "query", "healthy when"], rows),
    `Every ${formatDuration(v.intervalSeconds)}; passes after ${formatDuration(v.soakSeconds)} of holding checks, counted from a complete rollout. ` +
      `${v.failureThreshold} consecutive failing evaluations fail it and ${plan.action === "restart" || plan.irreversible !== undefined ? "ask a person (no automatic revert)" : "open the revert PR"}. ` +
      `No data (query error, timeout, empty result, NaN) is never healthy: ${v.maxErrors} consecutive no-data evaluations make it inconclusive and a human is asked. ` +
      `Not rolled out within ${formatDuration(v.deadlineSeconds)} fails it.` +
      (v.checks.some((c) => c.maxIncrease !== undefined)
        ? " A check with a baseline compares with the same query averaged over the window before the merge, read when verification starts; a baseline with no data makes that check no-data."
        : ""),
  ].join("\n\n");
}

/** The query as verification will send it, so reviewers read what runs, not a template. */
function shownQuery(query: string, plan: Plan): string {
  try {
    return renderQuery(query, {
      service: plan.service,
      environment: plan.environment,
      workload: plan.target.workload,
      ...(plan.target.namespace === undefined ? {} : { namespace: plan.target.namespace }),
    });
  } catch (error) {
    return `${query} (cannot be rendered: ${error instanceof Error ? error.message : String(error)})`;
  }
}

export function planBlock(plan: Plan | null): string {
  if (plan === null) return "";
  // "<" and ">" are escaped so no string inside the plan can close the HTML comment; C1 and bidi
  // controls (which JSON.stringify leaves raw) are escaped too, so the block parses back to the same
  // plan, and the same hash, without carrying them into the body.
  const json = JSON.stringify(plan)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(
      /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  return `<!-- ${PLAN_MARKER} ${json} -->`;
}

/** Whether a body carries a plan block at all: a cheap filter before `parsePacket`. */
export function hasPlanBlock(body: string | null | undefined): boolean {
  return (body ?? "").includes(`<!-- ${PLAN_MARKER} `);
}

/** A body with the hidden plan block shortened, for people reading it in a terminal. */
export function hidePlanBlock(body: string): string {
  return body.replace(new RegExp(`<!-- ${PLAN_MARKER} .* -->`, "s"), `<!-- ${PLAN_MARKER} … -->`);
}

/**
 * The evidence figures the packet recorded at diagnosis, by check name (the "before" of the
 * before/after comment). Read from the body because that is what the reviewers approved; this
 * module writes the table, so only it reads it.
 */
export function evidenceFigures(body: string, names: ReadonlySet<string>): Record<string, number | null> {
  const start = body.indexOf("Evidence:\n| name | value | query |");
  if (start < 0 || names.size === 0) return {};
  const figures: Record<string, number | null> = {};
  for (const line of body.slice(start).split("\n").slice(3)) {
    const row = /^\| ([a-z0-9_]+) \| ([^|]*?) \| /.exec(line);
    if (row === null) break;
    const [, name = "", text = ""] = row;
    const value = Number(text);
    if (names.has(name) && text.trim() !== "" && Number.isFinite(value)) figures[name] = value;
  }
  return figures;
}

/** Reads the plan back from a PR body; null when there is none or it does not validate. */
export function parsePacket(body: string | null | undefined): Plan | null {
  if (!body) return null;
  // Remedy writes its block last; an earlier one can only come from quoted untrusted text.
  const start = body.lastIndexOf(`<!-- ${PLAN_MARKER} `);
  if (start === -1) return null;
  const match = new RegExp(`^<!-- ${PLAN_MARKER} (\\{.*?\\}) -->`, "s").exec(body.slice(start));
  if (!match) return null;
  try {
    const parsed = parsePlan(JSON.parse(match[1] as string));
    return parsed.ok ? parsed.plan : null;
  } catch {
    return null;
  }
}

import type { Incident } from "../signals/incident.js";
import { containsPhrase, words } from "../text/words.js";
import { formatDuration } from "../verification/format-duration.js";
import { parseDuration } from "../verification/parse-duration.js";
import { changedWithin } from "./changed-within.js";
import { confidenceOf, type ConfidenceLevel } from "./confidence-of.js";
import { INTENT } from "./intent-phrases.js";
import { describeAge } from "./describe-age.js";
import type { RecentChange } from "./recent-changes.js";
import type { Runbook } from "./runbook-schema.js";
import type { RunbookScore } from "./runbook-score.js";

export type { RunbookScore } from "./runbook-score.js";

export interface Diagnosis {
  runbook: Runbook | null;
  /** 0..1, from the winning score and its margin over the runner-up (kept for the ledger). */
  confidence: number;
  /** What the packet shows: high / medium / low (README "How Remedy decides"). */
  level: ConfidenceLevel;
  /** What drove the level, in words a reviewer can check. */
  drivers: string[];
  /** Why this runbook (or why none), in words a reviewer can check. */
  explanation: string;
  candidates: RunbookScore[];
  /** Which path decided: the deterministic scorer, or a model choosing among its candidates. */
  decidedBy: "rules" | "model";
  /** What the model did, when one is configured; absent when none is. */
  model?: { name: string; outcome: "agreed" | "disagreed" | "accepted" | "not-used"; reason: string };
}

/** A runbook must reach this score to be acted on: one keyword, or an alert name. */
export const MATCH_THRESHOLD = 3;

export const WEIGHT = { alertname: 10, label: 2, keyword: 3, intent: 2, changedWithin: 5 } as const;

/** What the scorer knows beyond the signal: the target workload's recent changes, when resolved. */
export interface MatchContext {
  /** Newest first (recentChanges); absent when the target is unknown or its history unread. */
  changes?: readonly RecentChange[];
}

/** The field a runbook's action edits, which `changed_within` looks for in the history. */
function fieldOf(kind: Runbook["action"]["kind"]): "image" | "replicas" | null {
  return kind === "scale" ? "replicas" : kind === "escalate" || kind === "restart" ? null : "image";
}

/**
 * Scores every runbook against an incident: alert names, label matchers (all must hold when the signal
 * carries that label) and keywords compared as normalised words, not raw substrings; and, for a
 * runbook with `changed_within`, a change of its field in the workload's history shortly before the
 * signal. A recent change only adds to a runbook the signal already matched: a deploy alone says
 * nothing about which problem followed it.
 */
export function scoreRunbooks(
  incident: Incident,
  runbooks: readonly Runbook[],
  context: MatchContext = {},
): RunbookScore[] {
  const textWords = words(incident.text);
  const scores = runbooks.map((runbook) => scoreRunbook(incident, textWords, runbook, context));
  return scores.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}

function scoreRunbook(
  incident: Incident,
  textWords: string[],
  runbook: Runbook,
  context: MatchContext,
): RunbookScore {
  const reasons: string[] = [];
  const matched = { alertname: false, labels: 0, keywords: 0, recentChange: false };
  let score = 0;
  const alertname = incident.alertnames.find((name) => runbook.match.alertnames.includes(name));
  if (alertname !== undefined) {
    score += WEIGHT.alertname;
    matched.alertname = true;
    reasons.push(`alert name ${alertname}`);
  }
  for (const [label, expected] of Object.entries(runbook.match.labels)) {
    const actual = incident.labels[label];
    if (actual === undefined) continue;
    if (actual !== expected)
      return {
        id: runbook.id,
        title: runbook.title,
        action: runbook.action.kind,
        score: 0,
        reasons: [`label ${label}="${actual}" is not "${expected}"`],
        matched: { alertname: false, labels: 0, keywords: 0, recentChange: false },
      };
    score += WEIGHT.label;
    matched.labels += 1;
    reasons.push(`label ${label}="${expected}"`);
  }
  for (const keyword of runbook.match.keywords) {
    if (containsPhrase(textWords, keyword)) {
      score += WEIGHT.keyword;
      matched.keywords += 1;
      reasons.push(`keyword "${keyword}"`);
    }
  }
  const intent = INTENT[runbook.action.kind].find((phrase) => containsPhrase(textWords, phrase));
  if (intent !== undefined && score > 0) {
    score += WEIGHT.intent;
    reasons.push(`asks to "${intent}"`);
  }
  // Only a runbook the signal already matched gains from a recent change.
  const recent = score > 0 ? recentChange(runbook, context) : null;
  if (recent !== null) {
    reasons.push(recent.reason);
    if (recent.found) {
      score += WEIGHT.changedWithin;
      matched.recentChange = true;
    }
  }
  return { id: runbook.id, title: runbook.title, action: runbook.action.kind, score, reasons, matched };
}

/** A runbook's `changed_within`: whether its field changed in the window, and the reason either way. */
function recentChange(runbook: Runbook, context: MatchContext): { found: boolean; reason: string } | null {
  const field = fieldOf(runbook.action.kind);
  const within = runbook.match.changed_within;
  if (within === undefined || field === null) return null;
  const seconds = parseDuration(within);
  const change = context.changes === undefined ? null : changedWithin(context.changes, field, seconds);
  if (change !== null)
    return {
      found: true,
      reason: `${field} changed ${describeAge(change.secondsBeforeSignal)} (within ${within})`,
    };
  return {
    found: false,
    reason:
      context.changes === undefined
        ? `changed_within ${within}: history not read`
        : `no ${field} change within ${formatDuration(seconds)} before the signal`,
  };
}

export function matchRunbook(
  incident: Incident,
  runbooks: readonly Runbook[],
  context: MatchContext = {},
): Diagnosis {
  const candidates = scoreRunbooks(incident, runbooks, context);
  const [best, second] = candidates;
  const close = candidates
    .slice(1, 3)
    .filter((c) => c.score > 0)
    .map((c) => `${c.id} (${c.score})`);
  const closeText = close.length > 0 ? ` Close: ${close.join(", ")}.` : "";
  if (best === undefined || best.score < MATCH_THRESHOLD) {
    return {
      runbook: null,
      confidence: 0,
      level: "low",
      drivers: [`best score ${best?.score ?? 0} is below the threshold ${MATCH_THRESHOLD}`],
      explanation: `No runbook matches well enough (best: ${best === undefined ? "none" : `${best.id} with ${best.score}`}, needed ${MATCH_THRESHOLD}).${closeText}`,
      candidates,
      decidedBy: "rules",
    };
  }
  if (second !== undefined && second.score === best.score && second.action !== best.action) {
    return {
      runbook: null,
      confidence: 0,
      level: "low",
      drivers: [`tie: ${best.id} and ${second.id} both score ${best.score}`],
      explanation: `Two runbooks with different actions match equally (${best.id} and ${second.id}, ${best.score} each); a human must choose.`,
      candidates,
      decidedBy: "rules",
    };
  }
  const margin = best.score - (second?.score ?? 0);
  const confidence = Math.round(Math.min(1, best.score / 15) * Math.min(1, 0.5 + margin / 10) * 100) / 100;
  const runbook = runbooks.find((r) => r.id === best.id) ?? null;
  const { level, drivers } = confidenceOf(best, candidates.slice(1));
  return {
    runbook,
    confidence,
    level,
    drivers,
    explanation: `Runbook ${best.id} (score ${best.score}): ${best.reasons.join(", ")}.${closeText}`,
    candidates,
    decidedBy: "rules",
  };
}

import type { Incident } from "../signals/incident.js";
import { containsPhrase, words } from "../text/words.js";
import type { Runbook } from "./runbook-schema.js";

export interface RunbookScore {
  id: string;
  title: string;
  action: Runbook["action"]["kind"];
  score: number;
  reasons: string[];
}

export interface Diagnosis {
  runbook: Runbook | null;
  /** 0..1, from the winning score and its margin over the runner-up. */
  confidence: number;
  /** Why this runbook (or why none), in words a reviewer can check. */
  explanation: string;
  candidates: RunbookScore[];
  /** Which path decided: the deterministic scorer, or a model choosing among its candidates. */
  decidedBy: "rules" | "model";
}

/** A runbook must reach this score to be acted on: one keyword, or an alert name. */
export const MATCH_THRESHOLD = 3;

const WEIGHT = { alertname: 10, label: 2, keyword: 3, intent: 2 } as const;

/** Words that say what a person wants done, whatever the runbook's own keywords are. */
const INTENT: Record<Runbook["action"]["kind"], string[]> = {
  scale: ["scale up", "scale out", "more replica", "add replica", "add capacity"],
  "set-image": ["roll forward", "deploy version", "upgrade to", "image tag"],
  "rollback-image": ["roll back", "rollback", "revert deploy", "revert release", "previous version"],
  escalate: [],
};

/**
 * Scores every runbook against an incident: alert names, label matchers (all must hold when the signal
 * carries that label) and keywords compared as normalised words, not raw substrings.
 */
export function scoreRunbooks(incident: Incident, runbooks: readonly Runbook[]): RunbookScore[] {
  const textWords = words(incident.text);
  const scores = runbooks.map((runbook) => {
    const reasons: string[] = [];
    let score = 0;
    const alertname = incident.alertnames.find((name) => runbook.match.alertnames.includes(name));
    if (alertname !== undefined) {
      score += WEIGHT.alertname;
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
        };
      score += WEIGHT.label;
      reasons.push(`label ${label}="${expected}"`);
    }
    for (const keyword of runbook.match.keywords) {
      if (containsPhrase(textWords, keyword)) {
        score += WEIGHT.keyword;
        reasons.push(`keyword "${keyword}"`);
      }
    }
    const intent = INTENT[runbook.action.kind].find((phrase) => containsPhrase(textWords, phrase));
    if (intent !== undefined && score > 0) {
      score += WEIGHT.intent;
      reasons.push(`asks to "${intent}"`);
    }
    return { id: runbook.id, title: runbook.title, action: runbook.action.kind, score, reasons };
  });
  return scores.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}

export function matchRunbook(incident: Incident, runbooks: readonly Runbook[]): Diagnosis {
  const candidates = scoreRunbooks(incident, runbooks);
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
      explanation: `No runbook matches well enough (best: ${best === undefined ? "none" : `${best.id} with ${best.score}`}, needed ${MATCH_THRESHOLD}).${closeText}`,
      candidates,
      decidedBy: "rules",
    };
  }
  if (second !== undefined && second.score === best.score && second.action !== best.action) {
    return {
      runbook: null,
      confidence: 0,
      explanation: `Two runbooks with different actions match equally (${best.id} and ${second.id}, ${best.score} each); a human must choose.`,
      candidates,
      decidedBy: "rules",
    };
  }
  const margin = best.score - (second?.score ?? 0);
  const confidence = Math.round(Math.min(1, best.score / 15) * Math.min(1, 0.5 + margin / 10) * 100) / 100;
  const runbook = runbooks.find((r) => r.id === best.id) ?? null;
  return {
    runbook,
    confidence,
    explanation: `Runbook ${best.id} (score ${best.score}): ${best.reasons.join(", ")}.${closeText}`,
    candidates,
    decidedBy: "rules",
  };
}

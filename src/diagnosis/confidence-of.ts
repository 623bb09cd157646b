import type { RunbookScore } from "./runbook-score.js";

export type ConfidenceLevel = "high" | "medium" | "low";

/** Below this margin over the next runbook with another action, the match is a near tie. */
export const NEAR_TIE_MARGIN = 2;
/** A high match needs this score (an alert name alone reaches it) and this margin. */
export const HIGH_SCORE = 10;
export const HIGH_MARGIN = 5;

/**
 * The confidence level of the rules' winner (README "How Remedy decides"):
 * - high: score ≥ 10 with evidence beyond free text (an alert name, a label or a recent change of
 *   the runbook's field) and a margin ≥ 5 over the next runbook that would do something else;
 * - low: a near tie (margin < 2) with a runbook that would do something else;
 * - medium: everything else that reached the match threshold.
 * Keywords alone never make a match high: they come from text anyone can write.
 */
export function confidenceOf(
  best: RunbookScore,
  others: readonly RunbookScore[],
): { level: ConfidenceLevel; drivers: string[] } {
  const rival = others.find((c) => c.score > 0 && c.action !== best.action);
  const margin = best.score - (rival?.score ?? 0);
  const drivers = [...best.reasons];
  drivers.push(
    rival === undefined
      ? "no runbook with another action matched"
      : `margin ${margin} over ${rival.id} (${rival.action}, score ${rival.score})`,
  );
  if (rival !== undefined && margin < NEAR_TIE_MARGIN) {
    drivers.push(`near tie: a margin under ${NEAR_TIE_MARGIN}`);
    return { level: "low", drivers };
  }
  const { matched } = best;
  const corroborated =
    matched !== undefined && (matched.alertname || matched.labels > 0 || matched.recentChange);
  if (best.score >= HIGH_SCORE && margin >= HIGH_MARGIN && corroborated) return { level: "high", drivers };
  if (!corroborated) drivers.push("matched on free text only");
  return { level: "medium", drivers };
}

import type { Incident } from "../signals/incident.js";
import { requestedValues } from "../signals/requested-values.js";
import { containsPhrase, words } from "../text/words.js";
import { INTENT } from "./intent-phrases.js";
import type { Runbook } from "./runbook-schema.js";

/**
 * Whether a person with write permission asked for this kind of change in their own words ("roll
 * back", "scale to 8", "deploy 1.4.3"): then a low-confidence match may still be proposed, because
 * the action is theirs and the reviewers see the level. Alert text never counts.
 */
export function writerNamedAction(incident: Incident, kind: Runbook["action"]["kind"]): boolean {
  const text = incident.trustedText;
  if (text.trim() === "") return false;
  const requested = requestedValues(text);
  if (kind === "scale" && requested.replicas !== undefined) return true;
  if (kind === "set-image" && requested.tag !== undefined) return true;
  const said = words(text);
  return INTENT[kind].some((phrase) => containsPhrase(said, phrase));
}

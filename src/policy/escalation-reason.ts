import type { Incident } from "../signals/incident.js";
import { containsPhrase, words } from "../text/words.js";
import type { EscalateMatchers } from "./policy-schema.js";

/** The policy's `escalate` matchers win over any runbook: these signals never get a PR. */
export function escalationReason(incident: Incident, matchers: EscalateMatchers): string | null {
  const alertname = incident.alertnames.find((name) => matchers.alertnames.includes(name));
  if (alertname !== undefined) return `policy escalates alert ${alertname}`;
  const labels = Object.entries(matchers.labels);
  const label = labels.find(([key, value]) => incident.labels[key] === value);
  if (label !== undefined) return `policy escalates alerts labelled ${label[0]}="${label[1]}"`;
  const textWords = words(incident.text);
  const keyword = matchers.keywords.find((k) => containsPhrase(textWords, k, 0));
  if (keyword !== undefined) return `policy escalates signals that mention "${keyword}"`;
  return null;
}

/**
 * What the audit trail keeps of one model call: enough to prove which model saw which prompt and
 * said what, by hash, without the prompt itself (it quotes untrusted text) ever reaching the ledger.
 */
export interface ModelCallRecord {
  model: string;
  /** sha256:<hex> of the canonical JSON of the messages sent (already redacted). */
  promptHash: string;
  /** sha256:<hex> of the raw output, or null when there was none (timeout, HTTP error). */
  outputHash: string | null;
  /** accepted: the model's choice decided; agreed: it confirmed the rules; disagreed: escalated; rejected/failed: the rules stand. */
  outcome: "accepted" | "agreed" | "disagreed" | "rejected" | "failed";
  reason: string;
  /** Which structured-output mode the server took. */
  responseFormat: "json_schema" | "json_object" | null;
  incident: number | null;
  incidentKey: string;
}

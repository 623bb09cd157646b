import type { z } from "zod";

/**
 * A zod failure as one line that names the field, e.g. `version: expected "4"` or
 * `alerts.0.fingerprint: required`, so an operator reading Alertmanager's log can fix the sender.
 */
export function describePayloadError(error: z.ZodError): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String).join(".") || "(body)";
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : "";
  return `invalid Alertmanager payload (webhook version 4 expected): ${parts.join("; ")}${more}`;
}

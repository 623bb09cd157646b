import type { AuditEvent } from "../../src/audit/index.js";

/** An event of one incident's loop; `overrides` picks the step. */
export function event(kind: string, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    at: "2026-11-21T10:00:00Z",
    kind,
    repo: "acme/gitops",
    incident: 12,
    pr: null,
    sha: null,
    actor: "remedy[bot]",
    data: {},
    ...overrides,
  };
}

export interface ApprovalGateInput {
  /** The environment's `separate_approver`. */
  required: boolean;
  /** Approvals the policy asks for (at least one separate approval counts when the gate applies). */
  approvals: number;
  /** People who chose the value: the issue author who named it, `/set` authors, pushers. */
  requesters: readonly string[];
  /** Each reviewer's latest review state, and whether it was given after the last change of value. */
  reviews: ReadonlyArray<{ reviewer: string; state: string; afterLastChange: boolean; canApprove: boolean }>;
  /** The policy's reviewers and the service's owners, for "who may approve". */
  reviewers: readonly string[];
}

export type ApprovalGate =
  | { applies: false }
  | { applies: true; satisfied: boolean; counted: string[]; needed: number; detail: string };

/**
 * SPEC §3.3 `separate_approver`: when a person steered the value, only approvals from others (with
 * write permission, given after the last change of value) count. Pure: the caller reads the ledger.
 */
export function approvalGate(input: ApprovalGateInput): ApprovalGate {
  const requesters = [...new Set(input.requesters)];
  if (!input.required || requesters.length === 0) return { applies: false };
  const needed = Math.max(1, input.approvals);
  const excluded = new Set(requesters.map((r) => r.toLowerCase()));
  const counted = input.reviews
    .filter(
      (r) =>
        r.state === "approved" &&
        r.afterLastChange &&
        r.canApprove &&
        !excluded.has(r.reviewer.toLowerCase()),
    )
    .map((r) => r.reviewer);
  const asked = requesters.map((r) => `@${r}`).join(", ");
  const others = input.reviewers.filter((r) => !excluded.has(r.replace(/^@/, "").toLowerCase()));
  const satisfied = counted.length >= needed;
  return {
    applies: true,
    satisfied,
    counted,
    needed,
    detail: satisfied
      ? `Separation of duties: the value was chosen by ${asked}; approved by ${counted.map((c) => `@${c}`).join(", ")}, who did not.`
      : `Separation of duties (separate_approver): the value was chosen by ${asked}, so their approval does not count. Waiting for ${needed - counted.length} more approval${needed - counted.length === 1 ? "" : "s"} from someone else with write permission${others.length > 0 ? ` (e.g. ${others.join(", ")})` : ""}, given after the last change of value.`,
  };
}

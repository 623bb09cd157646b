import { z } from "zod";
import { GENESIS, HASH_PATTERN, type LedgerEntry } from "./ledger-entry.js";

/** One line of `ledger.jsonl`, either an entry of the right shape or the reason it is not one. */
export type LedgerLine =
  { line: number; entry: LedgerEntry } | { line: number; seq: number | null; reason: string };

const positiveInt = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const hash = z.string().regex(HASH_PATTERN);

// Strict: SPEC §6 fixes the fields, and the hash covers every field but `hash`, so an extra field is
// a different format rather than something to ignore.
export const ledgerEntrySchema = z.strictObject({
  seq: positiveInt,
  at: z.iso.datetime({ offset: true }),
  kind: z.string().min(1),
  repo: z.string().regex(/^[^/\s]+\/[^/\s]+$/),
  incident: positiveInt.nullable(),
  pr: positiveInt.nullable(),
  // Full ids only: an abbreviated id or a ref name such as `HEAD` would resolve to whatever the
  // verifying clone has, which proves nothing.
  sha: z
    .string()
    .regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/)
    .nullable(),
  actor: z.string().min(1),
  data: z.record(z.string(), z.unknown()),
  prev: hash,
  hash,
});

const FIELD_RULES: Record<string, string> = {
  seq: "a positive integer",
  at: "an ISO 8601 date-time such as 2026-11-21T10:00:00Z",
  kind: "a non-empty string",
  repo: 'an "owner/name" string',
  incident: "an issue number or null",
  pr: "a pull request number or null",
  sha: "a full lowercase hex commit id or null",
  actor: "a non-empty string",
  data: "a JSON object",
  prev: `"sha256:" and 64 lowercase hex digits (${GENESIS.slice(0, 15)}… for the first entry)`,
  hash: '"sha256:" and 64 lowercase hex digits',
};

/**
 * Splits a ledger into lines and checks each one's shape. A final empty line (the trailing newline)
 * is not a line; an empty line anywhere else is reported, since appends never write one. Lines are
 * numbered from `firstLine` (the rest of a ledger whose first lines were read before).
 */
export function readLedgerLines(text: string, firstLine = 1): LedgerLine[] {
  const raw = text.split("\n");
  if (raw.at(-1) === "") raw.pop();
  return raw.map((content, index) => readLine(content, index + firstLine));
}

function readLine(content: string, line: number): LedgerLine {
  if (content.trim() === "") return { line, seq: null, reason: "empty line" };
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    return { line, seq: null, reason: "truncated or invalid JSON" };
  }
  const seq = seqOf(value);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { line, seq, reason: "not a JSON object" };
  }
  const result = ledgerEntrySchema.safeParse(value);
  if (result.success) return { line, entry: value as LedgerEntry };
  return { line, seq, reason: describe(result.error.issues[0], value as Record<string, unknown>) };
}

function describe(issue: z.core.$ZodIssue | undefined, value: Record<string, unknown>): string {
  if (issue === undefined) return "invalid entry";
  if (issue.code === "unrecognized_keys") {
    return `unexpected field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
  }
  const field = String(issue.path[0] ?? "");
  if (!(field in value)) return `missing field ${field}`;
  return `field ${field} must be ${FIELD_RULES[field] ?? "valid"} (got ${JSON.stringify(value[field])?.slice(0, 80)})`;
}

function seqOf(value: unknown): number | null {
  if (value === null || typeof value !== "object") return null;
  const seq = (value as { seq?: unknown }).seq;
  return typeof seq === "number" && Number.isSafeInteger(seq) ? seq : null;
}

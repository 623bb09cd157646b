import { createHash } from "node:crypto";
import { canonicalJson } from "../audit/index.js";
import type { Plan } from "./plan.js";

/**
 * The plan's identity: `"sha256:"` + hex SHA-256 of its canonical JSON. Remedy records it in the
 * ledger when it writes a plan block, and trusts a block later only if the ledger holds its hash.
 */
export function planHash(plan: Plan): string {
  return `sha256:${createHash("sha256").update(canonicalJson(plan), "utf8").digest("hex")}`;
}

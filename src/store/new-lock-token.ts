import { randomUUID } from "node:crypto";

/** A lease holder's token: unique per take, so a holder can only renew or release its own lease. */
export function newLockToken(): string {
  return `${process.pid}-${randomUUID()}`;
}

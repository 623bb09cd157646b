/** Milliseconds since the epoch of an ISO-8601 timestamp; throws rather than letting NaN poison the schedule. */
export function toMillis(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`${what} must be an ISO-8601 timestamp (got ${JSON.stringify(iso)})`);
  return ms;
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

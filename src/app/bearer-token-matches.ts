import { createHash, timingSafeEqual } from "node:crypto";

/**
 * True when the Authorization header carries `Bearer <expected>`. Both sides are hashed first so the
 * comparison is constant-time over equal-length buffers and leaks neither the token nor its length.
 * An empty expected token matches nothing: an unset REMEDY_ALERT_TOKEN must not open the endpoint.
 */
export function bearerTokenMatches(header: string | undefined, expected: string): boolean {
  if (expected === "" || header === undefined) return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  const given = match?.[1] ?? "";
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b) && given.length > 0;
}

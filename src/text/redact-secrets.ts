/**
 * Secrets never enter the ledger: it lives on a branch anyone with read access can see, and it is
 * append-only, so a leaked token could never be removed without breaking the chain. Values under
 * secret-sounding keys are masked whole; token-shaped substrings in any other string are masked in
 * place, so a quoted log line keeps its meaning. Masking (rather than dropping) keeps the record
 * honest about what was there.
 */
export const REDACTED = "[redacted]";

// Key words match whole segments of a key (split on `_`, `-`, `.`, spaces and camelCase), so that
// `github_token` and `apiKey` are masked while `prompt_tokens` (a model usage count) is kept.
const SECRET_SEGMENTS = new Set([
  "token",
  "secret",
  "secrets",
  "password",
  "passwd",
  "passphrase",
  "pwd",
  "authorization",
  "cookie",
  "credential",
  "credentials",
  "apikey",
  "privatekey",
  "jwt",
]);
const SECRET_PAIRS = [
  ["api", "key"],
  ["private", "key"],
  ["access", "key"],
];

const SECRET_VALUE_PATTERNS: readonly RegExp[] = [
  // Long enough that prose such as "Bearer authentication" is left alone.
  /\bBearer\s+[A-Za-z0-9._~+/-]{16,}=*/gi,
  /\bAuthorization:\s*Basic\s+[A-Za-z0-9+/]+=*/gi,
  /\bgh[opsur]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  // A JWT (a GitHub App's, for one): three base64url parts, the first an encoded `{"`.
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  // Credentials inside a URL: keep scheme and host, mask user:password.
  /(?<=\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+(?=@)/gi,
];

// `password=hunter22`, `api_key: abc123…`, `DB_PASSWORD="…"` in free text: the name stays, so a quoted
// log line still says what was there; the value goes, whatever its shape.
const SECRET_ASSIGNMENT =
  /\b((?:[a-z0-9]+_)*(?:password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret))(\s*[:=]\s*)(["']?)[^\s"',;&]{4,}\3/gi;

export function redactSecrets(data: Record<string, unknown>): Record<string, unknown> {
  return redactRecord(data);
}

function redactRecord(record: Record<string, unknown>): Record<string, unknown> {
  // Object.fromEntries defines own properties, so a `__proto__` key stays data instead of a prototype.
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [
      key,
      isSecretKey(key) && value !== null && value !== undefined && value !== ""
        ? REDACTED
        : redactValue(value),
    ]),
  );
}

function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === "object" && isPlainObject(value)) {
    return redactRecord(value as Record<string, unknown>);
  }
  return value;
}

/** Masks token-shaped substrings and the values of `name=value` secrets in free text. */
export function redactText(text: string): string {
  let out = text;
  for (const pattern of SECRET_VALUE_PATTERNS) out = out.replace(pattern, REDACTED);
  return out.replace(SECRET_ASSIGNMENT, `$1$2$3${REDACTED}$3`);
}

export function isSecretKey(key: string): boolean {
  const segments = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((segment) => segment !== "");
  if (segments.some((segment) => SECRET_SEGMENTS.has(segment))) return true;
  return SECRET_PAIRS.some((pair) =>
    segments.some((_, start) => pair.every((word, offset) => segments[start + offset] === word)),
  );
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

import { redactSecrets } from "../../audit/index.js";

/**
 * What the model must not see, on top of the ledger's secret patterns (text/redact-secrets.ts):
 * a model endpoint may be a third party, so people and hosts are masked too. Masking keeps the text's
 * shape ("[email]" rather than nothing) so the model still reads a coherent sentence.
 */
const EXTRA: ReadonlyArray<[RegExp, string]> = [
  // `aws_secret_access_key = …`, `password: …`: the value after a secret-sounding name, whatever its shape.
  [
    /\b((?:aws_)?secret(?:_access)?_key|api[_-]?key|password|passwd|token|secret)(\s*[:=]\s*)["']?[^\s"',;]{6,}["']?/gi,
    "$1$2[redacted]",
  ],
  // An AWS secret access key on its own: 40 characters of base64 alphabet with at least one '/' or '+'.
  [/(?<![A-Za-z0-9/+])(?=[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=]))(?=[^\s]*[/+])[A-Za-z0-9/+]{40}/g, "[redacted]"],
  [/\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g, "[email]"],
  // IPv6 before IPv4 so a mapped address (::ffff:10.0.0.1) goes whole. Only forms that cannot be a
  // time of day: a `::` compression or all eight groups.
  [/(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\w:])/g, "[ip]"],
  [
    /(?<![\w:])(?:(?:[0-9A-Fa-f]{1,4}:){1,7}|:):(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])/g,
    "[ip]",
  ],
  [
    /(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w.]*\d)(?::\d{1,5})?/g,
    "[ip]",
  ],
];

/** Masks secrets, tokens, e-mail and IP addresses in text bound for a model. */
export function redactForModel(text: string): string {
  let out = redactSecrets({ text }).text as string;
  for (const [pattern, replacement] of EXTRA) out = out.replace(pattern, replacement);
  return out;
}

const NANOS_PER_UNIT: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign, as Go accepts
  μs: 1_000n, // U+03BC Greek mu, as Go accepts
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

// Go's time.Duration is an int64 of nanoseconds; keep its range so configs mean the same everywhere.
const MAX_NANOS = 2n ** 63n - 1n;
const PART = /^(\d*)(?:\.(\d*))?([^\d.]*)/;
const HINT = 'use a Go-style duration such as "30s", "5m", "1h30m" or "500ms"';

/**
 * Parses a Go-style duration ("30s", "1m30s", "1.5h", "500ms") into seconds.
 * Nanoseconds are summed as integers so "0.1s" + "0.2s" does not drift.
 */
export function parseDuration(input: string): number {
  if (typeof input !== "string") throw new Error(`invalid duration ${String(input)}: ${HINT}`);
  const text = input.trim();
  if (text === "") throw new Error(`invalid duration "": ${HINT}`);
  if (text.startsWith("-")) throw new Error(`invalid duration "${input}": must not be negative`);
  const body = text.startsWith("+") ? text.slice(1) : text;
  if (body === "") throw new Error(`invalid duration "${input}": ${HINT}`);
  if (body === "0") return 0;

  let nanos = 0n;
  let rest = body;
  while (rest !== "") {
    const match = PART.exec(rest);
    const whole = match?.[1] ?? "";
    const fraction = match?.[2] ?? "";
    const unit = match?.[3] ?? "";
    if (!match || (whole === "" && fraction === "")) {
      throw new Error(`invalid duration "${input}": expected a number at "${rest}"; ${HINT}`);
    }
    if (unit === "")
      throw new Error(`invalid duration "${input}": missing unit after "${match[0]}"; ${HINT}`);
    const perUnit = NANOS_PER_UNIT[unit];
    if (perUnit === undefined) {
      const suggestion = unit === "d" ? ' (days are not Go units; write "24h")' : "";
      throw new Error(`invalid duration "${input}": unknown unit "${unit}"${suggestion}; ${HINT}`);
    }
    nanos += BigInt(whole || "0") * perUnit;
    if (fraction !== "") nanos += (BigInt(fraction) * perUnit) / 10n ** BigInt(fraction.length);
    if (nanos > MAX_NANOS) throw new Error(`invalid duration "${input}": too large`);
    rest = rest.slice(match[0].length);
  }
  return Number(nanos) / 1e9;
}

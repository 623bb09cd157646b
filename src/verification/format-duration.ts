/**
 * Formats seconds as a Go-style duration that parseDuration reads back: 90 → "1m30s", 300 → "5m",
 * 0.5 → "500ms". Zero components are left out so plans read naturally; precision is one microsecond.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) throw new Error(`cannot format a duration of ${seconds} seconds`);
  const sign = seconds < 0 ? "-" : "";
  const micros = Math.round(Math.abs(seconds) * 1e6);
  if (micros === 0) return "0s";
  if (micros < 1_000) return `${sign}${micros}µs`;
  if (micros < 1_000_000) return `${sign}${trimDecimal(micros / 1_000)}ms`;

  const hours = Math.floor(micros / 3_600_000_000);
  const minutes = Math.floor((micros % 3_600_000_000) / 60_000_000);
  const secondMicros = micros % 60_000_000;
  let out = sign;
  if (hours > 0) out += `${hours}h`;
  if (minutes > 0) out += `${minutes}m`;
  if (secondMicros > 0) out += `${trimDecimal(secondMicros / 1_000_000)}s`;
  return out;
}

function trimDecimal(value: number): string {
  return String(Number(value.toFixed(6)));
}

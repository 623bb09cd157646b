/** Four significant digits keep tables readable without hiding a threshold crossing such as 0.0201 > 0.02. */
export function formatValue(value: number | null): string {
  if (value === null || Number.isNaN(value)) return "no data";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** "14 min before the signal", "3 min after the signal started": how a change relates to the signal. */
export function describeAge(secondsBeforeSignal: number): string {
  const minutes = Math.round(Math.abs(secondsBeforeSignal) / 60);
  const span =
    minutes < 1 ? "under a minute" : minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
  return secondsBeforeSignal >= 0 ? `${span} before the signal` : `${span} after the signal started`;
}

import type { RecentChange } from "./recent-changes.js";

/** The newest change of `field` made within `withinSeconds` before the signal (not after it). */
export function changedWithin(
  changes: readonly RecentChange[],
  field: "replicas" | "image",
  withinSeconds: number,
): RecentChange | null {
  return (
    changes.find(
      (c) =>
        c.secondsBeforeSignal >= 0 &&
        c.secondsBeforeSignal <= withinSeconds &&
        c.fields.some((f) => f.field === field),
    ) ?? null
  );
}

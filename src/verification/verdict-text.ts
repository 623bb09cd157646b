import { renderVerdictBlock, type VerdictBinding } from "./verdict-block.js";
import type { VerdictState } from "./verdict-state.js";

/**
 * The check run's hidden text while a verification is in progress: the verdict so far, so a lost
 * store can be rebuilt from GitHub (see recover-verifications.ts). When even a trimmed block does not
 * fit, the text says so and replaces any older block, which would otherwise be restored as if current.
 */
export function verdictText(verdict: VerdictState, binding: VerdictBinding): string {
  return (
    renderVerdictBlock(verdict, binding) ??
    "The verdict state is too large to keep on this check run; if Remedy loses its store, this verification restarts from the merge."
  );
}

import { canAct } from "../signals/role.js";
import type { FlowDeps } from "./deps.js";
import { PAUSED_LABEL } from "./pause-of.js";
import { setPause, type PauseResult } from "./set-pause.js";

export interface LabelSignal {
  on: "pr" | "issue";
  number: number;
  label: string;
  added: boolean;
  /** The login that added or removed the label (the webhook's `sender`). */
  actor: string;
}

export type LabelResult = { handled: false; why: string } | { handled: true; result: PauseResult };

/**
 * A label added to or removed from an issue or PR. Only `remedy:paused` means anything: adding it
 * pauses (pausing never writes, so it is honoured from anyone who can label); removing it resumes
 * only when a writer did it. A removal by anyone else is undone and the scope stays paused.
 */
export async function onLabel(deps: FlowDeps, signal: LabelSignal): Promise<LabelResult> {
  if (signal.label !== PAUSED_LABEL) return { handled: false, why: "not a Remedy label" };
  if (signal.actor === deps.botLogin) return { handled: false, why: "Remedy's own label" };
  const request = {
    number: signal.number,
    isPullRequest: signal.on === "pr",
    pause: signal.added,
    actor: signal.actor,
    via: "label" as const,
  };
  if (!signal.added) {
    const role = await deps.forge.permission(signal.actor);
    if (!canAct(role)) {
      await deps.forge.addLabels(signal.number, [PAUSED_LABEL]);
      await deps.forge.comment(
        signal.number,
        `@${signal.actor} removing \`${PAUSED_LABEL}\` needs write, maintain or admin permission on this repository (you have ${role}). Remedy stays paused here and put the label back.`,
      );
      return { handled: false, why: `author has ${role} permission` };
    }
  }
  return { handled: true, result: await setPause(deps, request) };
}

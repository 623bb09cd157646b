import { readField, type ManifestTarget } from "../manifests/index.js";
import type { FileVersion } from "../repo/repo-reader.js";

/** One commit that changed the workload's configured file, as the packet's Why shows it. */
export interface RecentChange {
  sha: string;
  at: string;
  /** Seconds from the change to the signal: positive before it, negative after it started. */
  secondsBeforeSignal: number;
  /** Login or commit author name; untrusted text. Null when the history does not say. */
  author: string | null;
  /** The PR that merged the change, when known. */
  pullRequest: number | null;
  /** Merged from a PR that Remedy's own identity opened (or committed by it). */
  byRemedy: boolean;
  /** The commit's subject line; untrusted text. */
  subject: string;
  /** Which of the workload's fields the commit changed; empty when it changed something else in the file. */
  fields: Array<{ field: "replicas" | "image"; from: string | null; to: string | null }>;
}

export interface RecentChangesInput {
  /** The file's history, newest first (the forge's `fileHistory`). */
  versions: readonly FileVersion[];
  target: ManifestTarget;
  /** When the signal started (the alert's startsAt, or the time). */
  signalAt: string;
  /** Only changes in (now - window, now] are recent. */
  now: string;
  windowSeconds: number;
  /** Remedy's own login, to tell its changes from a person's. */
  botLogin: string;
}

/**
 * The commits of the window that changed the workload's file, newest first, with the field each
 * changed (tag a → b, replicas a → b). Pure: the history is read by the caller through its port.
 */
export function recentChanges(input: RecentChangesInput): RecentChange[] {
  const now = Date.parse(input.now);
  const signal = Date.parse(input.signalAt);
  const since = now - input.windowSeconds * 1000;
  const changes: RecentChange[] = [];
  input.versions.forEach((version, index) => {
    const at = Date.parse(version.at);
    if (!(at > since && at <= now)) return;
    // The history lists only commits that touched the file, so the next one holds the state before.
    const previous = input.versions[index + 1];
    const fields = (["image", "replicas"] as const).flatMap((field) => {
      const to = valueIn(version.content, input.target, field);
      const from = previous === undefined ? undefined : valueIn(previous.content, input.target, field);
      if (from === undefined) return to === null ? [] : [{ field, from: null, to }];
      return from === to ? [] : [{ field, from, to }];
    });
    const author = version.pullRequest?.author ?? version.author ?? null;
    changes.push({
      sha: version.sha,
      at: version.at,
      secondsBeforeSignal: Math.round((signal - at) / 1000),
      author,
      pullRequest: version.pullRequest?.number ?? null,
      byRemedy: author === input.botLogin,
      subject: version.message.split("\n")[0] ?? "",
      fields,
    });
  });
  return changes.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}

function valueIn(content: string | null, target: ManifestTarget, field: "replicas" | "image"): string | null {
  if (content === null) return null;
  const read = readField(content, target, field);
  return read.ok ? read.value : null;
}

import type { CommentSignal } from "../flows/on-comment.js";
import type { LabelSignal } from "../flows/on-label.js";
import type { ReviewSignal } from "../flows/on-review.js";
import type { Issue, PullRequest } from "../forge/forge.js";
import type { AlertPayload } from "../signals/alert-payload.js";

/** One accepted signal, already reduced to what its flow needs, so a replay needs no webhook. */
export type Work =
  | { kind: "alert"; payload: AlertPayload }
  | { kind: "issue"; issue: Issue }
  | { kind: "comment"; comment: CommentSignal }
  | { kind: "merged"; pr: PullRequest }
  | { kind: "closed"; pr: PullRequest }
  | { kind: "issue-closed"; issue: number }
  | { kind: "review"; review: ReviewSignal }
  | { kind: "recheck"; pr: number; headSha: string }
  | { kind: "head"; pr: number; headSha: string; action: "synchronize" | "edited" | "reopened" }
  | { kind: "label"; label: LabelSignal };

export interface WorkItem {
  id: string;
  owner: string;
  repo: string;
  installationId: number;
  /** X-GitHub-Delivery for webhooks; null for alerts. */
  delivery: string | null;
  receivedAt: string;
  work: Work;
}

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
  | { kind: "label"; label: LabelSignal }
  /** A push to the default branch `branch`; the flow reads the new head itself, never the payload's. */
  | { kind: "base-push"; branch: string; pusher: string | null }
  /** The App was installed on the repository (or its onboarding PR was closed): the onboarding PR. */
  | { kind: "onboard" };

export interface WorkItem {
  id: string;
  owner: string;
  repo: string;
  installationId: number;
  /** X-GitHub-Delivery for webhooks; null for alerts. */
  delivery: string | null;
  receivedAt: string;
  work: Work;
  /** Failed attempts so far (absent: none yet). Stored, so a restart resumes the schedule. */
  attempts?: number;
  /** Epoch ms before which the next attempt must not start (absent: at once). */
  notBefore?: number;
  /** The last failure, for the log and the report: "GitHub answered 502: …". */
  lastError?: string;
  /**
   * The dedupe claims this item won (`delivery:<id>`, `alert:<repo>|<key>`), released when it is
   * given up, so a re-send is not answered "duplicate". Absent on items stored before they won any.
   */
  claims?: string[];
}

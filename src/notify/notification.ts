import { z } from "zod";

/** What Remedy tells a team about (SPEC §3.1 `notify:`). */
export const NOTIFY_EVENTS = ["escalation", "pr_opened", "verification_failed", "breaker_tripped"] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/**
 * Only variables named REMEDY_NOTIFY_…: a repository's config names where the URL is, and must not be
 * able to point Remedy at another secret (a token, REDIS_URL) and have it posted somewhere.
 */
const UrlEnv = z
  .string()
  .regex(
    /^REMEDY_NOTIFY_[A-Z0-9_]+$/,
    "must name an environment variable starting with REMEDY_NOTIFY_ (the URL itself never goes in the repository)",
  );

export const NotifyConfig = z
  .strictObject({
    /** A Slack incoming webhook: the environment variable that holds its URL. */
    slack: z.strictObject({ url_env: UrlEnv }).optional(),
    /** Any HTTP endpoint that takes a JSON POST: the environment variable that holds its URL. */
    webhook: z.strictObject({ url_env: UrlEnv }).optional(),
    on: z.array(z.enum(NOTIFY_EVENTS)).default([...NOTIFY_EVENTS]),
  })
  .describe("Where Remedy notifies people: escalations, PRs opened, failed verifications, breaker trips");
export type NotifyConfig = z.infer<typeof NotifyConfig>;

export interface Notification {
  event: NotifyEvent;
  repo: string;
  /** One line, written by Remedy. */
  title: string;
  /** A few sentences, written by Remedy (no untrusted text). */
  text: string;
  url: string | null;
  incident: number | null;
  pr: number | null;
  /** Users or teams to mention (owners on escalations). */
  mentions: string[];
  at: string;
}

export type Channel = "slack" | "webhook";

/** Sends one notification to one channel; the adapter owns HTTP, timeouts and secrets. */
export interface Notifier {
  send(channel: Channel, urlEnv: string, notification: Notification): Promise<void>;
}

/** Slack incoming-webhook body: mrkdwn text, with a link when there is one. */
export function slackPayload(n: Notification): { text: string } {
  const link = n.url === null ? "" : ` <${n.url}|open>`;
  const mentions = n.mentions.length > 0 ? `\n${n.mentions.join(" ")}` : "";
  return { text: `*${escapeSlack(n.title)}* (${n.repo})${link}\n${escapeSlack(n.text)}${mentions}` };
}

/** The generic webhook body: the notification as JSON, with a version for receivers to branch on. */
export function webhookPayload(n: Notification): Record<string, unknown> {
  return { version: 1, source: "remedy", ...n };
}

// Slack reads <…> as links and mentions; Remedy's own text never needs them.
function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

import type { RepoConfig } from "../config/repo-config.js";
import type { Channel, Notification } from "../notify/notification.js";
import type { FlowDeps } from "./deps.js";

/**
 * Tells the channels in `notify:` about an event. Never throws and never holds the loop up beyond the
 * adapter's timeout: a failed notification is logged (without its URL) and the flow goes on.
 */
export async function notify(
  deps: FlowDeps,
  config: RepoConfig | null,
  notification: Omit<Notification, "repo" | "at">,
): Promise<void> {
  const settings = config?.notify;
  const notifier = deps.notifier;
  if (notifier === undefined || settings === undefined || !settings.on.includes(notification.event)) return;
  const full: Notification = { ...notification, repo: deps.forge.repo, at: deps.now() };
  const channels: Array<[Channel, string]> = [];
  if (settings.slack !== undefined) channels.push(["slack", settings.slack.url_env]);
  if (settings.webhook !== undefined) channels.push(["webhook", settings.webhook.url_env]);
  await Promise.all(
    channels.map(async ([channel, urlEnv]) => {
      try {
        await notifier.send(channel, urlEnv, full);
      } catch (error) {
        deps.log.warn(
          {
            channel,
            event: notification.event,
            incident: notification.incident,
            pr: notification.pr,
            reason: error instanceof Error ? error.message : String(error),
          },
          "notification not delivered",
        );
      }
    }),
  );
}

import type { Channel, Notification, Notifier } from "../notify/notification.js";
import { slackPayload, webhookPayload } from "../notify/notification.js";

export interface WebhookNotifierOptions {
  env: Record<string, string | undefined>;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * POSTs notifications with `fetch`: one attempt with a timeout, no retries (a notification storm
 * during an incident helps nobody). The URL comes from the environment and never appears in an error.
 */
export class WebhookNotifier implements Notifier {
  readonly #env: Record<string, string | undefined>;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: WebhookNotifierOptions) {
    this.#env = options.env;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#fetch = options.fetch ?? fetch;
  }

  async send(channel: Channel, urlEnv: string, notification: Notification): Promise<void> {
    const raw = this.#env[urlEnv];
    if (raw === undefined || raw === "") throw new Error(`${urlEnv} is not set`);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`${urlEnv} does not hold a valid URL`);
    }
    const refused = refusedTarget(url);
    if (refused !== null) throw new Error(`${urlEnv} points at ${refused}; Remedy does not post there`);
    const body = channel === "slack" ? slackPayload(notification) : webhookPayload(notification);
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        redirect: "error",
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      throw new Error(
        timedOut ? `${channel} timed out after ${this.#timeoutMs} ms` : `${channel} could not be reached`,
      );
    }
    await response.body?.cancel().catch(() => undefined);
    if (!response.ok) throw new Error(`${channel} answered HTTP ${response.status}`);
  }
}

/** Cloud metadata endpoints and non-HTTP schemes: never a notification target. */
function refusedTarget(url: URL): string | null {
  if (url.protocol !== "https:" && url.protocol !== "http:") return `a ${url.protocol} URL`;
  if (url.username !== "" || url.password !== "") return "a URL with credentials in it";
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (/^169\.254\./.test(host) || host.startsWith("fe80:") || host === "fd00:ec2::254")
    return "a link-local (cloud metadata) address";
  if (
    host === "metadata.google.internal" ||
    host === "metadata" ||
    host.endsWith(".metadata.google.internal")
  )
    return "a cloud metadata host";
  return null;
}

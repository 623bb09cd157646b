import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { TickResult } from "../flows/verification-tick.js";
import type { IncidentResult } from "../flows/handle-incident.js";

/** What the gauges read when scraped: the shared inbox and store, not this process's view. */
export interface MetricSources {
  inboxDepth: () => Promise<number>;
  verificationsInFlight: () => Promise<number>;
}

interface Hookable {
  hook: {
    after(name: "request", hook: (response: { status: number }) => void): void;
    error(name: "request", hook: (error: { status?: unknown }) => never): void;
  };
}

/**
 * Remedy's Prometheus metrics (SPEC §8), recorded at the App's edges from what flows return; the
 * flows themselves know nothing of them. One registry per runtime, with Node's default process
 * metrics, served at GET /metrics.
 */
export class RemedyMetrics {
  readonly registry = new Registry();
  readonly #signals: Counter<"source">;
  readonly #decisions: Counter<"decision">;
  readonly #pullRequests: Counter<"kind">;
  readonly #verifications: Counter<"verdict">;
  readonly #github: Counter<"status">;
  readonly #lost: Counter<"work">;
  readonly #reported: Counter<"work">;
  readonly #notifications: Counter<"channel" | "result">;
  readonly #alertToPr: Histogram;
  readonly #instrumented = new WeakSet<object>();

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#signals = new Counter({
      name: "remedy_signals_total",
      help: "Signals accepted, by source (alertmanager, issue, comment, merged, review, recheck).",
      labelNames: ["source"],
      registers,
    });
    this.#decisions = new Counter({
      name: "remedy_decisions_total",
      help: "Incident decisions, by decision (propose, deny, escalate, none).",
      labelNames: ["decision"],
      registers,
    });
    this.#pullRequests = new Counter({
      name: "remedy_pull_requests_opened_total",
      help: "Pull requests Remedy opened, by kind (proposal, revert).",
      labelNames: ["kind"],
      registers,
    });
    this.#verifications = new Counter({
      name: "remedy_verifications_total",
      help: "Verifications finished, by verdict (pass, fail, inconclusive).",
      labelNames: ["verdict"],
      registers,
    });
    this.#github = new Counter({
      name: "remedy_github_requests_total",
      help: "Requests to GitHub's API, by HTTP status (or 'error' when no answer came).",
      labelNames: ["status"],
      registers,
    });
    this.#lost = new Counter({
      name: "remedy_signals_lost_total",
      help: "Accepted work given up after its retries or a permanent failure with no issue or PR to tell, by kind of work.",
      labelNames: ["work"],
      registers,
    });
    this.#reported = new Counter({
      name: "remedy_work_failed_reported_total",
      help: "Accepted work given up after its retries or a permanent failure, reported in a comment, by kind of work.",
      labelNames: ["work"],
      registers,
    });
    this.#notifications = new Counter({
      name: "remedy_notifications_total",
      help: "Notifications sent to notify: channels, by channel (slack, webhook) and result (sent, failed).",
      labelNames: ["channel", "result"],
      registers,
    });
    this.#alertToPr = new Histogram({
      name: "remedy_alert_to_pr_seconds",
      help: "From an alert notification's arrival to its proposal PR being opened.",
      buckets: [0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300],
      registers,
    });
    new Gauge({
      name: "remedy_inbox_depth",
      help: "Accepted work items not yet finished (across replicas sharing the store).",
      registers,
      async collect() {
        this.set(await sources.inboxDepth());
      },
    });
    new Gauge({
      name: "remedy_verifications_in_flight",
      help: "Merged Remedy PRs whose verification is still running (across replicas sharing the store).",
      registers,
      async collect() {
        this.set(await sources.verificationsInFlight());
      },
    });
  }

  signal(source: string): void {
    this.#signals.inc({ source });
  }

  notification(channel: string, sent: boolean): void {
    this.#notifications.inc({ channel, result: sent ? "sent" : "failed" });
  }

  signalLost(work: string): void {
    this.#lost.inc({ work });
  }

  /** Work given up whose failure a comment reported to a person. */
  signalReported(work: string): void {
    this.#reported.inc({ work });
  }

  /** An alert's or an issue's flow result: its decision, and its PR if one was opened. */
  incident(result: IncidentResult | null, receivedAt: string | null = null): void {
    if (result?.outcome) this.#decisions.inc({ decision: result.outcome.decision });
    if (result?.proposal?.status === "opened") {
      this.#pullRequests.inc({ kind: "proposal" });
      if (receivedAt !== null)
        this.#alertToPr.observe(Math.max(0, (Date.now() - Date.parse(receivedAt)) / 1000));
    }
  }

  /** A verification tick: its verdict when done, and its revert PR if one was opened. */
  tick(result: TickResult): void {
    if (result.done && result.record.verdict.outcome !== null)
      this.#verifications.inc({ verdict: result.record.verdict.outcome });
    if (result.revert?.status === "opened") this.revertOpened();
  }

  revertOpened(): void {
    this.#pullRequests.inc({ kind: "revert" });
  }

  /** Counts every request an Octokit instance makes, by status; each instance is hooked once. */
  instrument<T extends object>(octokit: T): T {
    if (this.#instrumented.has(octokit)) return octokit;
    this.#instrumented.add(octokit);
    const { hook } = octokit as unknown as Hookable;
    hook.after("request", (response) => this.#github.inc({ status: String(response.status) }));
    hook.error("request", (error) => {
      this.#github.inc({ status: typeof error.status === "number" ? String(error.status) : "error" });
      throw error;
    });
    return octokit;
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger as PinoLogger, Probot, ProbotOctokit } from "probot";
import { recoverVerifications } from "../flows/recover-verifications.js";
import type { FlowDeps } from "../flows/deps.js";
import { GitHubCache } from "../forge/github/github-cache.js";
import type { VerificationRecord } from "../store/store.js";
import type { Store } from "../store/store.js";
import { flowDepsFor } from "./flow-deps-for.js";
import type { Inbox } from "./inbox.js";
import { RemedyMetrics } from "./remedy-metrics.js";
import { storeFromEnv, type StateBackend } from "./store-from-env.js";
import { VerificationScheduler } from "./verification-scheduler.js";
import { KeyedQueue } from "./keyed-queue.js";
import { remedyEnv, type RemedyEnv } from "./remedy-env.js";
import { runWorkItem } from "./run-work-item.js";
import type { WorkItem } from "./work-item.js";
import { workKey } from "./work-key.js";

const INSTALLATION_CACHE_MS = 5 * 60_000;
// How far back recovery looks for merged Remedy PRs, by PR creation time: a PR can wait for review
// for days before its merge starts a verification.
const RECOVERY_WINDOW_MS = 14 * 24 * 3_600_000;
/** How long a successful "can the App authenticate" answer holds for /readyz. */
const AUTH_CHECK_MS = 60_000;

/**
 * What the handlers share in one process: the store, the inbox of accepted work, the per-target
 * queue, and the few facts about the App worth asking GitHub only once.
 */
export class RemedyRuntime {
  readonly app: Probot;
  readonly env: RemedyEnv;
  readonly processEnv: NodeJS.ProcessEnv;
  readonly store: Store;
  readonly inbox: Inbox;
  readonly metrics: RemedyMetrics;
  readonly queue = new KeyedQueue();
  readonly log: PinoLogger;
  readonly scheduler: VerificationScheduler;
  /** File listings and texts by immutable id, and the last ledger seen, shared by every delivery. */
  readonly github = new GitHubCache();
  readonly #running = new Set<Promise<unknown>>();
  readonly #installations = new Map<string, { id: number; until: number }>();
  readonly #backend: StateBackend;
  #botLogin: Promise<string> | null = null;
  #authenticated: { until: number } | null = null;
  #authCheck: Promise<void> | null = null;
  #sweep: NodeJS.Timeout | null = null;

  constructor(app: Probot, processEnv: NodeJS.ProcessEnv) {
    this.app = app;
    this.processEnv = processEnv;
    this.env = remedyEnv(processEnv);
    this.log = app.log.child({ name: "remedy" });
    this.#backend = storeFromEnv(this.env, this.log);
    this.store = this.#backend.store;
    this.inbox = this.#backend.inbox;
    this.metrics = new RemedyMetrics({
      inboxDepth: () => this.inbox.depth(),
      verificationsInFlight: async () => (await this.store.listVerifications()).length,
    });
    this.scheduler = new VerificationScheduler({
      store: this.store,
      depsFor: (record) => {
        const [owner = "", repo = ""] = record.repo.split("/");
        if (record.installationId === null)
          return Promise.reject(new Error(`verification ${record.id} has no installation id`));
        return this.depsForInstallation(
          record.installationId,
          owner,
          repo,
          this.log.child({ verification: record.id, pr: record.pr }),
        );
      },
      log: this.log,
      onTick: (result) => this.metrics.tick(result),
      ...(this.#backend.shared ? { lease: { ttlMs: this.env.leaseMs } } : {}),
    });
  }

  /** The App's (or an installation's) Octokit, with its requests counted in the metrics. */
  async auth(installationId?: number): Promise<ProbotOctokit> {
    return this.metrics.instrument(await this.app.auth(installationId));
  }

  /**
   * Resolves when the App can authenticate to GitHub (a signed JWT accepted by GET /app); a success
   * holds for a minute, so readiness probes do not spend the rate limit.
   */
  authenticates(): Promise<void> {
    if (this.#authenticated !== null && this.#authenticated.until > Date.now()) return Promise.resolve();
    this.#authCheck ??= this.auth()
      .then((octokit) => octokit.rest.apps.getAuthenticated())
      .then(() => {
        this.#authenticated = { until: Date.now() + AUTH_CHECK_MS };
      })
      .finally(() => (this.#authCheck = null));
    return this.#authCheck;
  }

  /** `<slug>[bot]`, from REMEDY_BOT_LOGIN or GET /app once per process. */
  botLogin(): Promise<string> {
    if (this.env.botLogin !== null) return Promise.resolve(this.env.botLogin);
    this.#botLogin ??= this.auth()
      .then((octokit) => octokit.rest.apps.getAuthenticated())
      .then(({ data }) => `${data?.slug ?? "remedy"}[bot]`);
    // A failed lookup is retried next time rather than cached forever.
    this.#botLogin.catch(() => (this.#botLogin = null));
    return this.#botLogin;
  }

  /** The App's installation on owner/repo, or null when it is not installed there. */
  async installationId(owner: string, repo: string): Promise<number | null> {
    const key = `${owner}/${repo}`.toLowerCase();
    const cached = this.#installations.get(key);
    if (cached !== undefined && cached.until > Date.now()) return cached.id;
    const octokit = await this.auth();
    try {
      const { data } = await octokit.rest.apps.getRepoInstallation({ owner, repo });
      this.#installations.set(key, { id: data.id, until: Date.now() + INSTALLATION_CACHE_MS });
      return data.id;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return null;
      throw error;
    }
  }

  async depsFor(octokit: ProbotOctokit, owner: string, repo: string, log: PinoLogger): Promise<FlowDeps> {
    return flowDepsFor({
      octokit,
      owner,
      repo,
      store: this.store,
      botLogin: await this.botLogin(),
      log,
      env: this.processEnv,
      cache: this.github,
      mode: this.env.mode,
      onNotification: (channel, sent) => this.metrics.notification(channel, sent),
    });
  }

  /** Flow deps for an installation, for replays and the verification scheduler. */
  async depsForInstallation(
    installationId: number,
    owner: string,
    repo: string,
    log: PinoLogger,
  ): Promise<FlowDeps> {
    return this.depsFor(await this.auth(installationId), owner, repo, log);
  }

  /** Persists the work, then runs it in the background, one at a time per target. */
  async accept(item: Omit<WorkItem, "id">): Promise<WorkItem> {
    const stored = await this.inbox.put(item);
    this.metrics.signal(item.work.kind);
    this.dispatch(stored);
    return stored;
  }

  /** Resumes verifications in flight and replays work accepted before a restart. */
  start(): Promise<void> {
    const started = this.#resume();
    this.#running.add(started);
    void started.finally(() => this.#running.delete(started));
    return started;
  }

  async #resume(): Promise<void> {
    try {
      // Decided before anything touches the store, which creates its folders on first use.
      const recover =
        this.env.recover === "always" ||
        (this.env.recover === "auto" &&
          (this.#backend.shared
            ? await this.store.claim("store:initialized", 100 * 365 * 24 * 3600)
            : !(await exists(join(this.env.dataDir, "verifications")))));
      await this.scheduler.start();
      const pending = await this.inbox.takeOver(Number.POSITIVE_INFINITY);
      if (pending.length > 0) this.log.info({ pending: pending.length }, "replaying accepted work");
      for (const item of pending) this.dispatch(item);
      if (this.#backend.shared) this.#sweepInbox();
      if (recover) await this.#recoverFromGitHub();
    } catch (error) {
      // Startup trouble (an unreadable data directory) is logged; webhooks and alerts still answer.
      this.log.error({ err: error, dataDir: this.env.dataDir }, "could not resume stored work");
    }
  }

  /**
   * With no store to resume from, the verifications in flight are rebuilt from GitHub: every
   * repository of every installation, merged Remedy PRs whose `remedy/verify` run is still in
   * progress. One repository failing does not stop the others.
   */
  /**
   * With replicas sharing the inbox: every third of a lease, renew the leases on the items this one
   * holds, and take over items whose lease lapsed (their replica died) and run them here.
   */
  #sweepInbox(): void {
    let busy = false;
    this.#sweep = setInterval(
      () => {
        if (busy) return;
        busy = true;
        void (async () => {
          await this.inbox.renew();
          const orphans = await this.inbox.takeOver();
          if (orphans.length > 0) this.log.warn({ items: orphans.length }, "taking over work a replica left");
          for (const item of orphans) this.dispatch(item);
        })()
          .catch((error: unknown) => this.log.error({ err: error }, "inbox sweep failed"))
          .finally(() => (busy = false));
      },
      Math.max(50, Math.floor(this.env.leaseMs / 3)),
    );
    this.#sweep.unref();
  }

  async #recoverFromGitHub(): Promise<void> {
    const since = new Date(Date.now() - RECOVERY_WINDOW_MS).toISOString();
    const app = await this.auth();
    const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
    let rebuilt = 0;
    for (const installation of installations) {
      const octokit = await this.auth(installation.id);
      const repositories = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, {
        per_page: 100,
      });
      for (const repository of repositories) {
        const log = this.log.child({ installation: installation.id, repo: repository.full_name });
        try {
          const deps = await this.depsFor(octokit, repository.owner.login, repository.name, log);
          for (const record of await recoverVerifications(deps, {
            since,
            installationId: installation.id,
          })) {
            this.scheduler.track(record);
            rebuilt++;
          }
        } catch (error) {
          log.warn({ err: error }, "could not look for verifications to rebuild");
        }
      }
    }
    this.log.info({ installations: installations.length, rebuilt }, "recovery from GitHub done");
  }

  /** Called when a merge starts a verification. */
  track(record: VerificationRecord): void {
    this.scheduler.track(record);
  }

  stop(): void {
    this.scheduler.stop();
    if (this.#sweep !== null) clearInterval(this.#sweep);
    this.#sweep = null;
    void this.#backend.close();
  }

  /** Resolves when all background work started so far has finished (tests, graceful stop). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** Runs persisted work in the background, one item at a time per target. */
  dispatch(item: WorkItem): void {
    const task = this.queue
      .run(workKey(item), () => runWorkItem(this, item))
      .then(() => this.inbox.remove(item.id))
      .catch((error: unknown) => {
        // One boundary for all background work: log with the delivery id, keep the process alive.
        // The item stays in the inbox only if it failed for a reason a restart could fix; a flow
        // error is permanent for this input, so it is dropped after being logged.
        this.log.error(
          { err: error, delivery: item.delivery, repo: `${item.owner}/${item.repo}`, work: item.work.kind },
          "work failed",
        );
        this.metrics.signalLost(item.work.kind);
        return this.inbox.remove(item.id);
      })
      .finally(() => this.#running.delete(task));
    this.#running.add(task);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

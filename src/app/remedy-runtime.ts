import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger as PinoLogger, Probot, ProbotOctokit } from "probot";
import { recoverVerifications } from "../flows/recover-verifications.js";
import type { FlowDeps } from "../flows/deps.js";
import { GitHubCache } from "../adapters/github/github-cache.js";
import { ParsedLedgers, VerifiedLedgers } from "../audit/index.js";
import type { VerificationRecord } from "../store/store.js";
import type { Store } from "../store/store.js";
import { flowDepsFor } from "./flow-deps-for.js";
import type { Inbox } from "./inbox.js";
import { RemedyMetrics } from "./remedy-metrics.js";
import { storeFromEnv, type StateBackend } from "./store-from-env.js";
import { VerificationScheduler } from "./verification-scheduler.js";
import { remedyEnv, type RemedyEnv } from "./remedy-env.js";
import { runWorkItem } from "./run-work-item.js";
import { boundRequests } from "./bound-requests.js";
import { classifyFailure, type Failure } from "./classify-failure.js";
import { claimsOf } from "./claim-keys.js";
import { reportFailedWork } from "./report-failed-work.js";
import { retryDelayMs } from "./retry-delay.js";
import type { WorkItem } from "./work-item.js";
import { WorkGate } from "./work-gate.js";
import { workKey } from "./work-key.js";
import { workRank } from "./work-rank.js";
import { LedgerTurns } from "./ledger-turns.js";
import { asFollowUp, withUrgency, WriteLanes } from "./write-lane.js";

const INSTALLATION_CACHE_MS = 5 * 60_000;
// How far back recovery looks for merged Remedy PRs, by PR creation time: a PR can wait for review
// for days before its merge starts a verification.
const RECOVERY_WINDOW_MS = 14 * 24 * 3_600_000;
/** How long a successful "can the App authenticate" answer holds for /readyz. */
const AUTH_CHECK_MS = 60_000;

/**
 * What the handlers share in one process: the store, the inbox of accepted work, the bounded
 * dispatch of that work (one at a time per target, the most urgent first), and the few facts about the App worth asking GitHub only once.
 */
export class RemedyRuntime {
  readonly app: Probot;
  readonly env: RemedyEnv;
  readonly processEnv: NodeJS.ProcessEnv;
  readonly store: Store;
  readonly inbox: Inbox;
  readonly metrics: RemedyMetrics;
  readonly log: PinoLogger;
  readonly scheduler: VerificationScheduler;
  /** File listings and texts by immutable id, and the last ledger seen, shared by every delivery. */
  readonly github = new GitHubCache();
  /**
   * Ledger texts already verified and read, so an append or a read handles only the lines added
   * since; and the turns that keep this process's appends to one ledger from racing each other.
   */
  readonly ledgers = {
    verified: new VerifiedLedgers(),
    parsed: new ParsedLedgers(),
    turns: <T>(ledger: string, task: () => Promise<T>): Promise<T> => this.#ledgerTurns.run(ledger, task),
  };
  readonly #ledgerTurns = new LedgerTurns();
  readonly #running = new Set<Promise<unknown>>();
  readonly #installations = new Map<string, { id: number; until: number }>();
  readonly #installationLookups = new Map<string, Promise<number | null>>();
  readonly #backend: StateBackend;
  readonly #gate: WorkGate;
  /** GitHub writes per installation, the most urgent first, in front of Probot's write throttle. */
  readonly #lanes = new WriteLanes();
  #dispatched = 0;
  #botLogin: Promise<string> | null = null;
  #authenticated: { until: number } | null = null;
  #authCheck: Promise<void> | null = null;
  #sweep: NodeJS.Timeout | null = null;
  readonly #stopped = new AbortController();

  constructor(app: Probot, processEnv: NodeJS.ProcessEnv) {
    this.app = app;
    this.processEnv = processEnv;
    this.env = remedyEnv(processEnv);
    this.log = app.log.child({ name: "remedy" });
    this.#backend = storeFromEnv(this.env, this.log);
    this.#gate = new WorkGate(this.env.workConcurrency);
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

  /**
   * The App's (or an installation's) Octokit, with its requests counted in the metrics and each one
   * bounded by REMEDY_GITHUB_TIMEOUT_MS.
   */
  async auth(installationId?: number): Promise<ProbotOctokit> {
    const octokit = boundRequests(
      this.metrics.instrument(await this.app.auth(installationId)),
      this.env.githubTimeoutMs,
    );
    return inLane(octokit, this.#lanes, installationId === undefined ? "app" : String(installationId));
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

  /**
   * The App's installation on owner/repo, or null when it is not installed there. Cached for five
   * minutes, and one lookup at a time per repository: a storm's first notifications share one request.
   */
  async installationId(owner: string, repo: string): Promise<number | null> {
    const key = `${owner}/${repo}`.toLowerCase();
    const cached = this.#installations.get(key);
    if (cached !== undefined && cached.until > Date.now()) return cached.id;
    const inFlight = this.#installationLookups.get(key);
    if (inFlight !== undefined) return inFlight;
    const lookup = this.#lookUpInstallation(key, owner, repo).finally(() =>
      this.#installationLookups.delete(key),
    );
    this.#installationLookups.set(key, lookup);
    return lookup;
  }

  async #lookUpInstallation(key: string, owner: string, repo: string): Promise<number | null> {
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
      ledgers: this.ledgers,
      mode: this.env.mode,
      onNotification: (channel, sent) => this.metrics.notification(channel, sent),
      followUp: asFollowUp,
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
    let stored: WorkItem;
    try {
      stored = await this.inbox.put(item);
    } catch (error) {
      // Not stored, so not accepted: the claims go back, and the redelivery or re-send is handled.
      await this.#giveBack(
        item.claims ?? [],
        this.log.child({ delivery: item.delivery, work: item.work.kind }),
      );
      throw error;
    }
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
    this.#stopped.abort();
    this.scheduler.stop();
    if (this.#sweep !== null) clearInterval(this.#sweep);
    this.#sweep = null;
    void this.#backend.close();
  }

  /** Resolves when all background work started so far has finished (tests, graceful stop). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /**
   * Runs persisted work in the background, one item at a time per target and at most
   * REMEDY_WORK_CONCURRENCY at once, the most urgent waiting item first (workRank). A failure a retry could
   * cure (classifyFailure) is retried from the inbox with exponential backoff and jitter: the item
   * stays stored with its attempt count and not-before time, so a restart or another replica resumes
   * the schedule. A retry waits outside the target's queue, so later work on that target is not held
   * behind it, and holds no slot. After the last attempt, or a permanent failure, the work is given up (#giveUp).
   */
  /** An Alertmanager notification arrived: during a burst of them, answering comes before new work. */
  notificationArrived(): void {
    this.#gate.arrived();
  }

  dispatch(item: WorkItem): void {
    const order = ++this.#dispatched;
    const task = this.#attempt(item, order)
      .catch((error: unknown) => {
        // One boundary for all background work: log with the delivery id, keep the process alive.
        this.log.error(
          { err: error, delivery: item.delivery, repo: `${item.owner}/${item.repo}`, work: item.work.kind },
          "work could not be run or given up",
        );
      })
      .finally(() => this.#running.delete(task));
    this.#running.add(task);
  }

  async #attempt(first: WorkItem, order: number): Promise<void> {
    let item = first;
    for (;;) {
      const wait = (item.notBefore ?? 0) - Date.now();
      // Stopped while waiting: the item stays stored, and the next start (or a replica) resumes it.
      if (wait > 0 && !(await this.#sleep(wait))) return;
      try {
        const rank = workRank(item);
        await this.#gate.run(workKey(item), rank, (release) =>
          withUrgency({ rank, order, release }, () => runWorkItem(this, item)),
        );
      } catch (error) {
        const failure = classifyFailure(error);
        const attempts = (item.attempts ?? 0) + 1;
        const log = this.log.child({
          delivery: item.delivery,
          repo: `${item.owner}/${item.repo}`,
          work: item.work.kind,
          item: item.id,
        });
        if (failure.kind === "permanent" || attempts >= this.env.retryAttempts)
          return this.#giveUp(item, failure, attempts, error);
        const delayMs = retryDelayMs(attempts, this.env.retryBaseMs);
        item = {
          ...item,
          attempts,
          notBefore: Date.now() + delayMs,
          lastError: `${failure.reason}: ${failure.message}`.slice(0, 500),
        };
        log.warn(
          { err: error, attempts, of: this.env.retryAttempts, delayMs, reason: failure.reason },
          "work failed; retrying",
        );
        // A store that cannot take the schedule does not stop the retry in this process.
        await this.inbox.save(item).catch((saveError: unknown) => {
          log.error({ err: saveError }, "could not store the retry schedule");
        });
        continue;
      }
      await this.inbox.remove(item.id);
      return;
    }
  }

  async #giveBack(claims: readonly string[], log: PinoLogger): Promise<void> {
    for (const claim of claims)
      await this.store.unclaim(claim).catch((unclaimError: unknown) => {
        log.error({ err: unclaimError, claim }, "could not give back the claim of failed work");
      });
  }

  /**
   * The work will not be done: a person is told (a comment on its incident issue or PR, else an
   * error log line and `remedy_signals_lost_total`), and its dedupe claims are given back so
   * Alertmanager's re-send or GitHub's redelivery is tried again. Claims go before the item, so a
   * crash in between replays the item rather than leaving a claim that answers "duplicate".
   */
  async #giveUp(item: WorkItem, failure: Failure, attempts: number, error: unknown): Promise<void> {
    const log = this.log.child({
      delivery: item.delivery,
      repo: `${item.owner}/${item.repo}`,
      work: item.work.kind,
      item: item.id,
    });
    let told: number | null = null;
    try {
      const deps = await this.depsForInstallation(item.installationId, item.owner, item.repo, log);
      told = await reportFailedWork(deps, item, failure, attempts);
    } catch (reportError) {
      log.error({ err: reportError }, "could not tell anyone that the work failed");
    }
    const claims = claimsOf(item);
    await this.#giveBack(claims, log);
    log.error(
      {
        err: error,
        attempts,
        kind: failure.kind,
        status: failure.status,
        reason: failure.reason,
        reported: told,
        released: claims.length,
      },
      told === null
        ? "work failed and was given up; no one could be told but this log"
        : "work failed and was given up",
    );
    if (told === null) this.metrics.signalLost(item.work.kind);
    else this.metrics.signalReported(item.work.kind);
    await this.inbox.remove(item.id);
  }

  /** Waits `ms`; false when the runtime stopped first. */
  #sleep(ms: number): Promise<boolean> {
    if (this.#stopped.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#stopped.signal.removeEventListener("abort", stop);
        resolve(true);
      }, ms);
      const stop = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      this.#stopped.signal.addEventListener("abort", stop, { once: true });
    });
  }
}

const inLaned = new WeakSet<object>();

/** Sends the Octokit's writes through its installation's lane (write-lane.ts), once per instance. */
function inLane(octokit: ProbotOctokit, lanes: WriteLanes, key: string): ProbotOctokit {
  if (inLaned.has(octokit)) return octokit;
  inLaned.add(octokit);
  octokit.hook.wrap("request", (request, options) =>
    lanes.run(key, options.method, options.url, async (sent) => {
      // The fetch Octokit calls once the throttle lets the request go (each retry calls it again).
      const inner = (options.request as { fetch?: typeof fetch } | undefined)?.fetch ?? globalThis.fetch;
      const fetched: typeof fetch = (input, init) => {
        sent();
        return inner(input, init);
      };
      // In place: before-after-hook hands every inner hook this same options object.
      options.request = { ...options.request, fetch: fetched };
      return request(options);
    }),
  );
  return octokit;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger as PinoLogger, Probot, ProbotOctokit } from "probot";
import { recoverVerifications } from "../flows/recover-verifications.js";
import type { FlowDeps } from "../flows/deps.js";
import { GitHubCache } from "../forge/github/github-cache.js";
import type { VerificationRecord } from "../store/store.js";
import { FileStore } from "../store/file-store.js";
import type { Store } from "../store/store.js";
import { flowDepsFor } from "./flow-deps-for.js";
import { VerificationScheduler } from "./verification-scheduler.js";
import { KeyedQueue } from "./keyed-queue.js";
import { remedyEnv, type RemedyEnv } from "./remedy-env.js";
import { runWorkItem } from "./run-work-item.js";
import { WorkInbox } from "./work-inbox.js";
import type { WorkItem } from "./work-item.js";
import { workKey } from "./work-key.js";

const INSTALLATION_CACHE_MS = 5 * 60_000;
// How far back recovery looks for merged Remedy PRs, by PR creation time: a PR can wait for review
// for days before its merge starts a verification.
const RECOVERY_WINDOW_MS = 14 * 24 * 3_600_000;

/**
 * What the handlers share in one process: the store, the inbox of accepted work, the per-target
 * queue, and the few facts about the App worth asking GitHub only once.
 */
export class RemedyRuntime {
  readonly app: Probot;
  readonly env: RemedyEnv;
  readonly processEnv: NodeJS.ProcessEnv;
  readonly store: Store;
  readonly inbox: WorkInbox;
  readonly queue = new KeyedQueue();
  readonly log: PinoLogger;
  readonly scheduler: VerificationScheduler;
  /** File listings and texts by immutable id, and the last ledger seen, shared by every delivery. */
  readonly github = new GitHubCache();
  readonly #running = new Set<Promise<unknown>>();
  readonly #installations = new Map<string, { id: number; until: number }>();
  #botLogin: Promise<string> | null = null;

  constructor(app: Probot, processEnv: NodeJS.ProcessEnv) {
    this.app = app;
    this.processEnv = processEnv;
    this.env = remedyEnv(processEnv);
    this.store = new FileStore(this.env.dataDir);
    this.inbox = new WorkInbox(this.env.dataDir);
    this.log = app.log.child({ name: "remedy" });
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
    });
  }

  /** `<slug>[bot]`, from REMEDY_BOT_LOGIN or GET /app once per process. */
  botLogin(): Promise<string> {
    if (this.env.botLogin !== null) return Promise.resolve(this.env.botLogin);
    this.#botLogin ??= this.app
      .auth()
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
    const octokit = await this.app.auth();
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
    });
  }

  /** Flow deps for an installation, for replays and the verification scheduler. */
  async depsForInstallation(
    installationId: number,
    owner: string,
    repo: string,
    log: PinoLogger,
  ): Promise<FlowDeps> {
    return this.depsFor(await this.app.auth(installationId), owner, repo, log);
  }

  /** Persists the work, then runs it in the background, one at a time per target. */
  async accept(item: Omit<WorkItem, "id">): Promise<WorkItem> {
    const stored = await this.inbox.put(item);
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
        (this.env.recover === "auto" && !(await exists(join(this.env.dataDir, "verifications"))));
      await this.scheduler.start();
      const pending = await this.inbox.list();
      if (pending.length > 0) this.log.info({ pending: pending.length }, "replaying accepted work");
      for (const item of pending) this.dispatch(item);
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
  async #recoverFromGitHub(): Promise<void> {
    const since = new Date(Date.now() - RECOVERY_WINDOW_MS).toISOString();
    const app = await this.app.auth();
    const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
    let rebuilt = 0;
    for (const installation of installations) {
      const octokit = await this.app.auth(installation.id);
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

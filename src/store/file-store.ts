import { createHash, randomBytes } from "node:crypto";
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { newLockToken } from "./new-lock-token.js";
import type { Store, VerificationRecord } from "./store.js";

/**
 * The embedded durable store: plain files under a data directory, no server. A claim is a file linked
 * into place from a complete temp file (link fails when the name exists), so two processes sharing
 * the directory cannot both win and a crash never leaves an empty claim; records are written to a
 * temp file and renamed, so a crash never leaves half a record. Leases (`lock`) are files holding
 * `<expiry>:<token>`; they are exact within one process (each key's lease operations run one after
 * another) and best effort between processes: several replicas share a Redis store instead.
 */
export class FileStore implements Store {
  private readonly claims: string;
  private readonly verifications: string;
  private readonly locks: string;
  private readonly lockQueue = new Map<string, Promise<unknown>>();
  private ready: Promise<void> | null = null;

  constructor(
    private readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.claims = join(dir, "claims");
    this.verifications = join(dir, "verifications");
    this.locks = join(dir, "locks");
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    await this.init();
    const file = join(this.claims, digest(key));
    const content = `${this.now() + ttlSeconds * 1000} ${process.pid}.${randomToken()}\n`;
    // The claim is written whole to a temp file first and then linked into place: link, like
    // open(wx), fails when the name exists, but the claim file never exists empty or half written.
    const temp = await this.tempWith(file, content);
    try {
      if (await linkIfAbsent(temp, file)) return true;
      if (!(await this.expired(file))) return false;
      // Expired: only one taker may replace it. mkdir is atomic, so the takeover lock has one holder;
      // inside it the claim is read again, since another taker may have replaced it just before.
      const lock = `${file}.takeover`;
      if (!(await this.takeover(lock))) return false;
      try {
        if (!(await this.expired(file))) return false;
        await rename(temp, file);
        return true;
      } finally {
        await rm(lock, { recursive: true, force: true });
      }
    } finally {
      await rm(temp, { force: true });
    }
  }

  async unclaim(key: string): Promise<void> {
    await this.init();
    await rm(join(this.claims, digest(key)), { force: true });
  }

  /**
   * Whether the claim in `file` no longer holds. A claim that cannot be read as `<expires> <token>`
   * (an empty file left by an older version that crashed mid-write, a damaged disk) holds for a grace
   * period after it was last written, then counts as expired, so it never blocks its key forever.
   */
  private async expired(file: string): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
      throw error;
    }
    const until = parseClaim(text);
    if (until !== null) return until <= this.now();
    const written = await stat(file).then(
      (info) => info.mtimeMs,
      () => 0,
    );
    return this.now() - written >= UNREADABLE_CLAIM_GRACE_MS;
  }

  /** Takes the takeover lock; a lock left by a taker that crashed is broken after the grace period. */
  private async takeover(path: string): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await mkdir(path);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const since = await stat(path).then(
        (info) => info.mtimeMs,
        () => 0,
      );
      if (this.now() - since < UNREADABLE_CLAIM_GRACE_MS) return false;
      await rm(path, { recursive: true, force: true });
    }
    return false;
  }

  private async tempWith(file: string, content: string): Promise<string> {
    const temp = `${file}.${process.pid}.${randomToken()}.tmp`;
    await writeFile(temp, content, { flag: "wx" });
    return temp;
  }

  lock(key: string, ttlMs: number): Promise<string | null> {
    return this.serial(key, async () => {
      await this.init();
      const file = join(this.locks, digest(key));
      const token = newLockToken();
      const content = `${this.now() + ttlMs}:${token}`;
      // Linked into place from a complete temp file, so a lease file is never seen empty.
      const temp = await this.tempWith(file, content);
      try {
        await link(temp, file);
        return token;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      } finally {
        await rm(temp, { force: true });
      }
      const held = await this.readLock(file);
      // An unreadable lock is one being written by another process right now: it holds.
      if (held === null || held.until > this.now()) return null;
      await this.atomicWrite(file, content);
      return (await this.readLock(file))?.token === token ? token : null;
    });
  }

  renew(key: string, token: string, ttlMs: number): Promise<boolean> {
    return this.serial(key, async () => {
      const file = join(this.locks, digest(key));
      const held = await this.readLock(file);
      if (held === null || held.token !== token || held.until <= this.now()) return false;
      await this.atomicWrite(file, `${this.now() + ttlMs}:${token}`);
      return true;
    });
  }

  release(key: string, token: string): Promise<void> {
    return this.serial(key, async () => {
      const file = join(this.locks, digest(key));
      if ((await this.readLock(file))?.token === token) await rm(file, { force: true });
    });
  }

  async ping(): Promise<void> {
    await this.init();
    const probe = join(this.claims, `.ping.${process.pid}`);
    await this.atomicWrite(probe, String(this.now()));
    await rm(probe, { force: true });
  }

  async saveVerification(record: VerificationRecord): Promise<void> {
    await this.init();
    await this.atomicWrite(join(this.verifications, `${digest(record.id)}.json`), JSON.stringify(record));
  }

  async getVerification(id: string): Promise<VerificationRecord | null> {
    await this.init();
    return readJson(join(this.verifications, `${digest(id)}.json`));
  }

  async listVerifications(): Promise<VerificationRecord[]> {
    await this.init();
    const records = await Promise.all(
      (await readdir(this.verifications))
        .filter((f) => f.endsWith(".json"))
        .map((f) => readJson(join(this.verifications, f))),
    );
    return records.filter((r): r is VerificationRecord => r !== null);
  }

  async deleteVerification(id: string): Promise<void> {
    await rm(join(this.verifications, `${digest(id)}.json`), { force: true });
  }

  private init(): Promise<void> {
    this.ready ??= Promise.all([
      mkdir(this.claims, { recursive: true }),
      mkdir(this.verifications, { recursive: true }),
      mkdir(this.locks, { recursive: true }),
    ]).then(() => undefined);
    return this.ready;
  }

  private async readLock(file: string): Promise<{ until: number; token: string } | null> {
    const text = await readFile(file, "utf8").catch(() => "");
    const colon = text.indexOf(":");
    if (colon < 0) return null;
    return { until: Number(text.slice(0, colon)), token: text.slice(colon + 1) };
  }

  /** Runs one key's lease operations one after another in this process. */
  private serial<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.lockQueue.get(key) ?? Promise.resolve()).then(task, task);
    const tail = result.catch(() => undefined);
    this.lockQueue.set(key, tail);
    void tail.then(() => {
      if (this.lockQueue.get(key) === tail) this.lockQueue.delete(key);
    });
    return result;
  }

  private async atomicWrite(file: string, content: string): Promise<void> {
    const temp = `${file}.${process.pid}.${randomToken()}.tmp`;
    await writeFile(temp, content);
    await rename(temp, file);
  }
}

/** How long a claim file that cannot be read holds before it counts as expired. */
export const UNREADABLE_CLAIM_GRACE_MS = 30_000;

/** The expiry of a claim file's `<expires> <token>` text (older versions wrote `<expires>` alone). */
function parseClaim(text: string): number | null {
  const match = /^(\d{1,16})(?:[ .\n]|$)/.exec(text);
  return match === null ? null : Number(match[1]);
}

async function linkIfAbsent(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function randomToken(): string {
  return randomBytes(8).toString("hex");
}

function digest(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

async function readJson(file: string): Promise<VerificationRecord | null> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as VerificationRecord;
  } catch {
    return null;
  }
}

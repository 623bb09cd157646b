import { createHash } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { newLockToken } from "./new-lock-token.js";
import type { Store, VerificationRecord } from "./store.js";

/**
 * The embedded durable store: plain files under a data directory, no server. Claims use O_EXCL file
 * creation, so two processes sharing the directory cannot both win; records are written to a temp
 * file and renamed, so a crash never leaves half a record. Leases (`lock`) are files holding
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
    const expires = String(this.now() + ttlSeconds * 1000);
    try {
      const handle = await open(file, "wx");
      await handle.writeFile(expires);
      await handle.close();
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const until = Number(await readFile(file, "utf8").catch(() => "0"));
    // An empty file is a claim being written right now by another process: it holds.
    if (until === 0 || until > this.now()) return false;
    // Expired: take it over by rename, and check we are the one whose value stuck.
    const mine = `${expires}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await this.atomicWrite(file, mine);
    return (await readFile(file, "utf8")) === mine;
  }

  lock(key: string, ttlMs: number): Promise<string | null> {
    return this.serial(key, async () => {
      await this.init();
      const file = join(this.locks, digest(key));
      const token = newLockToken();
      const content = `${this.now() + ttlMs}:${token}`;
      try {
        const handle = await open(file, "wx");
        await handle.writeFile(content);
        await handle.close();
        return token;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
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
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(temp, content);
    await rename(temp, file);
  }
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

import { createHash } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Store, VerificationRecord } from "./store.js";

/**
 * The embedded durable store: plain files under a data directory, no server. Claims use O_EXCL file
 * creation, so two processes sharing the directory cannot both win; records are written to a temp
 * file and renamed, so a crash never leaves half a record.
 */
export class FileStore implements Store {
  private readonly claims: string;
  private readonly verifications: string;
  private ready: Promise<void> | null = null;

  constructor(
    private readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.claims = join(dir, "claims");
    this.verifications = join(dir, "verifications");
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

  async release(key: string): Promise<void> {
    await rm(join(this.claims, digest(key)), { force: true });
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
    ]).then(() => undefined);
    return this.ready;
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

import { createHash, randomBytes } from "node:crypto";
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Store, VerificationRecord } from "./store.js";

/**
 * The embedded durable store: plain files under a data directory, no server. A claim is a file linked
 * into place from a complete temp file (link fails when the name exists), so two processes sharing
 * the directory cannot both win and a crash never leaves an empty claim; records are written to a
 * temp file and renamed, so a crash never leaves half a record.
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
      if (!(await this.lock(lock))) return false;
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
  private async lock(path: string): Promise<boolean> {
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

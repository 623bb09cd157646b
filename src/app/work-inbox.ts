import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Inbox } from "./inbox.js";
import type { WorkItem } from "./work-item.js";

/**
 * The embedded inbox: one file per item under the data directory. An item is written before the
 * sender is answered and removed when its flow finishes, so a crash in between replays it on restart
 * instead of losing it: Alertmanager does not resend what it saw acknowledged, and GitHub does not
 * redeliver on its own. One process owns the directory, so its leases are held in memory: a restarted
 * process holds none and takes over every item left.
 */
export class WorkInbox implements Inbox {
  readonly #dir: string;
  readonly #held = new Set<string>();
  #ready: Promise<unknown> | null = null;

  constructor(dataDir: string) {
    this.#dir = join(dataDir, "inbox");
  }

  async put(item: Omit<WorkItem, "id">): Promise<WorkItem> {
    await this.#init();
    // Time first, so a directory listing replays in arrival order.
    const stored: WorkItem = { id: `${Date.now().toString().padStart(15, "0")}-${randomUUID()}`, ...item };
    const file = join(this.#dir, `${stored.id}.json`);
    // Temp file then rename: a crash never leaves half an item for the replay to choke on.
    await writeFile(`${file}.tmp`, JSON.stringify(stored));
    await rename(`${file}.tmp`, file);
    this.#held.add(stored.id);
    return stored;
  }

  /** Persists first, then claims: a crash between the two replays the item instead of losing it. */
  async putClaimed(
    item: Omit<WorkItem, "id" | "claims">,
    keys: readonly string[],
    ttlSeconds: number,
    claim: (key: string, ttlSeconds: number) => Promise<boolean>,
  ): Promise<WorkItem | null> {
    const stored = await this.put(item);
    const won = await Promise.all(keys.map((key) => claim(key, ttlSeconds)));
    if (!won.some(Boolean)) {
      await this.remove(stored.id);
      return null;
    }
    const claimed = { ...stored, claims: keys.filter((_, i) => won[i] === true) };
    // Not recording them is no reason to refuse the work: an item without its claims gives back
    // every claim of its signal when it is given up (claimsOf).
    await this.save(claimed).catch(() => undefined);
    return claimed;
  }

  async save(item: WorkItem): Promise<void> {
    await this.#init();
    const file = join(this.#dir, `${item.id}.json`);
    const exists = await stat(file).then(
      () => true,
      () => false,
    );
    if (!exists) return;
    await writeFile(`${file}.tmp`, JSON.stringify(item));
    await rename(`${file}.tmp`, file);
  }

  async remove(id: string): Promise<void> {
    await rm(join(this.#dir, `${id}.json`), { force: true });
    this.#held.delete(id);
  }

  async renew(): Promise<void> {}

  async takeOver(limit = Number.POSITIVE_INFINITY): Promise<WorkItem[]> {
    const free = (await this.list()).filter((item) => !this.#held.has(item.id)).slice(0, limit);
    for (const item of free) this.#held.add(item.id);
    return free;
  }

  async depth(): Promise<number> {
    await this.#init();
    return (await readdir(this.#dir)).filter((name) => name.endsWith(".json")).length;
  }

  /** Pending items, oldest first. Unreadable files are skipped, not fatal. */
  async list(): Promise<WorkItem[]> {
    await this.#init();
    const names = (await readdir(this.#dir)).filter((name) => name.endsWith(".json")).sort();
    const items = await Promise.all(
      names.map(async (name) => {
        try {
          return JSON.parse(await readFile(join(this.#dir, name), "utf8")) as WorkItem;
        } catch {
          return null;
        }
      }),
    );
    return items.filter((item): item is WorkItem => item !== null);
  }

  #init(): Promise<unknown> {
    this.#ready ??= mkdir(this.#dir, { recursive: true });
    return this.#ready;
  }
}

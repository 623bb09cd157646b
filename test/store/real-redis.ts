import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { freePort, waitFor } from "../e2e/fixtures/real-prometheus.js";

/**
 * Where Debian's `redis-server` is, or null. In CI (scripts/install-test-deps.sh installs it) a
 * missing binary is an error, so the Redis tests can never pass by being skipped there.
 */
export function redisServerBinary(): string | null {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  const path = found.stdout.trim();
  if (found.status === 0 && path !== "") return path;
  if (process.env.CI)
    throw new Error(
      "redis-server is not on PATH; run scripts/install-test-deps.sh (it installs Debian's redis-server)",
    );
  return null;
}

/** A throwaway redis-server on a free loopback port, no persistence, killed by `stop()`. */
export class RealRedis {
  url = "";
  #child: ChildProcess | null = null;
  #log = "";
  readonly #clients: Redis[] = [];

  constructor(readonly binary: string) {}

  async start(): Promise<void> {
    const port = await freePort();
    this.url = `redis://127.0.0.1:${port}`;
    this.#child = spawn(
      this.binary,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const keep = (chunk: Buffer) => {
      this.#log = (this.#log + chunk.toString()).slice(-4000);
    };
    this.#child.stdout?.on("data", keep);
    this.#child.stderr?.on("data", keep);
    const probe = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on("error", () => undefined);
    try {
      await waitFor(
        `redis-server ready at ${this.url}`,
        15_000,
        async () => {
          if (this.#child?.exitCode !== null)
            throw new Error(`redis-server exited (${this.#child?.exitCode}):\n${this.#log}`);
          try {
            if (probe.status !== "ready") await probe.connect();
            return (await probe.ping()) === "PONG";
          } catch {
            probe.disconnect();
            return false;
          }
        },
        50,
      );
    } finally {
      probe.disconnect();
    }
  }

  /** A client for the test itself; closed by `stop()`. */
  client(): Redis {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1 });
    client.on("error", () => undefined);
    this.#clients.push(client);
    return client;
  }

  async stop(): Promise<void> {
    for (const client of this.#clients) client.disconnect();
    const child = this.#child;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
  }
}

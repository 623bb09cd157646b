/** The settings Remedy reads from the environment (see .env.example). Probot reads its own. */
export interface RemedyEnv {
  alertToken: string;
  dataDir: string;
  /** Overrides the `${slug}[bot]` lookup through GET /app. */
  botLogin: string | null;
  /**
   * Rebuilding verifications in flight from GitHub on start (`REMEDY_RECOVER`): "auto" when the data
   * directory holds no store yet (a new or wiped volume), "always", or "off".
   */
  recover: "auto" | "always" | "off";
  /**
   * `REMEDY_MODE`: "on" (default), or "off" / "dry-run" to stop every change write of the App at once,
   * whatever the repositories say (SPEC §8). "dry-run" still posts plans as comments.
   */
  mode: "on" | "off" | "dry-run";
  /** `REDIS_URL`: several replicas share this Redis; null means the embedded file store. */
  redisUrl: string | null;
  /**
   * `REMEDY_LEASE_SECONDS` (default 15): how long a replica's lease on an inbox item or a
   * verification lasts unless renewed, so how soon another replica takes over from a dead one.
   */
  leaseMs: number;
  /**
   * `REMEDY_RETRY_ATTEMPTS` (default 5): how many times in all a piece of accepted work is tried when
   * it fails for a reason a retry could cure (GitHub 5xx, 429, a timeout); 1 means never retried.
   */
  retryAttempts: number;
  /** `REMEDY_RETRY_BASE_MS` (default 1000): the first retry's delay; each next one doubles, jittered. */
  retryBaseMs: number;
  /** `REMEDY_GITHUB_TIMEOUT_MS` (default 10000): how long one GitHub request may take before it fails. */
  githubTimeoutMs: number;
  /**
   * `REMEDY_WORK_CONCURRENCY` (default 8): how many pieces of accepted work one replica runs at once;
   * the rest wait in the inbox's order of urgency (critical alerts first), so a storm of alerts
   * cannot starve the event loop that acknowledges them.
   */
  workConcurrency: number;
}

const RECOVER = ["auto", "always", "off"] as const;
const MODES = ["on", "off", "dry-run"] as const;

export function remedyEnv(env: NodeJS.ProcessEnv): RemedyEnv {
  return {
    alertToken: env.REMEDY_ALERT_TOKEN ?? "",
    dataDir: env.REMEDY_DATA_DIR && env.REMEDY_DATA_DIR !== "" ? env.REMEDY_DATA_DIR : ".data",
    botLogin: env.REMEDY_BOT_LOGIN && env.REMEDY_BOT_LOGIN !== "" ? env.REMEDY_BOT_LOGIN : null,
    recover: recoverMode(env.REMEDY_RECOVER),
    mode: appMode(env.REMEDY_MODE),
    redisUrl: env.REDIS_URL && env.REDIS_URL.trim() !== "" ? env.REDIS_URL.trim() : null,
    leaseMs: leaseMs(env.REMEDY_LEASE_SECONDS),
    retryAttempts: integer("REMEDY_RETRY_ATTEMPTS", env.REMEDY_RETRY_ATTEMPTS, 5, 1, 50, "attempts"),
    retryBaseMs: integer(
      "REMEDY_RETRY_BASE_MS",
      env.REMEDY_RETRY_BASE_MS,
      1000,
      1,
      3_600_000,
      "milliseconds",
    ),
    workConcurrency: integer("REMEDY_WORK_CONCURRENCY", env.REMEDY_WORK_CONCURRENCY, 8, 1, 256, "tasks"),
    githubTimeoutMs: integer(
      "REMEDY_GITHUB_TIMEOUT_MS",
      env.REMEDY_GITHUB_TIMEOUT_MS,
      10_000,
      10,
      600_000,
      "milliseconds",
    ),
  };
}

function integer(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
  unit: string,
): number {
  if (value === undefined || value.trim() === "") return fallback;
  const number = Number(value.trim());
  if (!Number.isInteger(number) || number < min || number > max)
    throw new Error(
      `${name} must be a whole number of ${unit} from ${min} to ${max} (got "${value}"); unset it for the default ${fallback}`,
    );
  return number;
}

function leaseMs(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 15_000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0.2 || seconds > 3600)
    throw new Error(`REMEDY_LEASE_SECONDS must be a number of seconds from 0.2 to 3600 (got "${value}")`);
  return Math.round(seconds * 1000);
}

function recoverMode(value: string | undefined): RemedyEnv["recover"] {
  if (value === undefined || value === "") return "auto";
  const mode = RECOVER.find((m) => m === value.trim().toLowerCase());
  if (mode === undefined)
    throw new Error(`REMEDY_RECOVER must be one of ${RECOVER.join(", ")} (got "${value}")`);
  return mode;
}

function appMode(value: string | undefined): RemedyEnv["mode"] {
  if (value === undefined || value === "") return "on";
  const mode = MODES.find((m) => m === value.trim().toLowerCase());
  // A typo must not leave Remedy writing: an unknown value stops writes rather than failing to start.
  return mode ?? "off";
}

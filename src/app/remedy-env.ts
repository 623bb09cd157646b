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
}

const RECOVER = ["auto", "always", "off"] as const;

export function remedyEnv(env: NodeJS.ProcessEnv): RemedyEnv {
  return {
    alertToken: env.REMEDY_ALERT_TOKEN ?? "",
    dataDir: env.REMEDY_DATA_DIR && env.REMEDY_DATA_DIR !== "" ? env.REMEDY_DATA_DIR : ".data",
    botLogin: env.REMEDY_BOT_LOGIN && env.REMEDY_BOT_LOGIN !== "" ? env.REMEDY_BOT_LOGIN : null,
    recover: recoverMode(env.REMEDY_RECOVER),
  };
}

function recoverMode(value: string | undefined): RemedyEnv["recover"] {
  if (value === undefined || value === "") return "auto";
  const mode = RECOVER.find((m) => m === value.trim().toLowerCase());
  if (mode === undefined)
    throw new Error(`REMEDY_RECOVER must be one of ${RECOVER.join(", ")} (got "${value}")`);
  return mode;
}

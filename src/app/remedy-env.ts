/** The settings Remedy reads from the environment (see .env.example). Probot reads its own. */
export interface RemedyEnv {
  alertToken: string;
  dataDir: string;
  /** Overrides the `${slug}[bot]` lookup through GET /app. */
  botLogin: string | null;
}

export function remedyEnv(env: NodeJS.ProcessEnv): RemedyEnv {
  return {
    alertToken: env.REMEDY_ALERT_TOKEN ?? "",
    dataDir: env.REMEDY_DATA_DIR && env.REMEDY_DATA_DIR !== "" ? env.REMEDY_DATA_DIR : ".data",
    botLogin: env.REMEDY_BOT_LOGIN && env.REMEDY_BOT_LOGIN !== "" ? env.REMEDY_BOT_LOGIN : null,
  };
}

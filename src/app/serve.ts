import { run } from "probot";
import remedy from "../index.js";
import { RemedyOctokit } from "./remedy-octokit.js";

/**
 * `remedy serve` (npm start): Probot's own runner. With APP_ID and a private key it serves webhooks
 * at /api/github/webhooks and alerts at /alerts/{owner}/{repo}; without them it starts Probot's setup
 * flow, which registers the App from app.yml. Its Octokit bounds the retries after a rate limit.
 */
export async function serve(): Promise<number> {
  await run(remedy, { Octokit: RemedyOctokit });
  return 0;
}

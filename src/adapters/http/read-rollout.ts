import type { RolloutState } from "../../verification/observation.js";
import { getJson, type GetJsonOptions } from "./get-json.js";

export interface RolloutReading {
  state: RolloutState;
  reason: string;
}

/**
 * GETs one object (a Deployment, an Argo CD Application) and reads its rollout state with the
 * domain's pure parser; null when the API does not answer 2xx or the body is not what the parser
 * expects, so the verdict counts it as no data rather than as a state.
 */
export async function readRollout(
  url: string,
  endpoint: GetJsonOptions,
  parse: (body: unknown) => RolloutReading,
): Promise<RolloutReading | null> {
  const result = await getJson(url, endpoint);
  if (result.kind === "error" || result.status < 200 || result.status >= 300) return null;
  try {
    return parse(result.body);
  } catch {
    return null;
  }
}

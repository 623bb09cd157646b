import type { RepoConfig } from "../../config/repo-config.js";
import type { Diagnoser } from "../../diagnosis/diagnoser.js";
import { openAiDiagnoser, type OpenAiDiagnoserOptions } from "./openai-diagnoser.js";
import { modelNotUsed } from "../../diagnosis/model/model-not-used.js";

/**
 * `FlowDeps.diagnoser` for a process: the repository's `model` section picks the model, the process
 * environment holds the key. A configured model without a key is said once in the logs (per variable,
 * not per incident) and in every packet, so nobody believes a model looked when none did. Wiring,
 * not diagnosis: it constructs the OpenAI adapter, so it lives beside it.
 */
export function diagnoserFromConfig(
  env: Readonly<Record<string, string | undefined>>,
  opts: OpenAiDiagnoserOptions = {},
): (config: RepoConfig) => Diagnoser | undefined {
  const warned = new Set<string>();
  return (config) => {
    const model = config.model;
    if (model === undefined) return undefined;
    const diagnoser = openAiDiagnoser(model, env, opts);
    if (diagnoser !== undefined) return diagnoser;
    const reason = `${model.api_key_env} is not set, so diagnosis is deterministic only`;
    if (!warned.has(model.api_key_env)) {
      warned.add(model.api_key_env);
      opts.log?.warn(
        { model: model.name, env: model.api_key_env },
        "model configured but no API key; deterministic diagnosis only",
      );
    }
    return async (_incident, rules) => modelNotUsed(rules, model.name, reason);
  };
}

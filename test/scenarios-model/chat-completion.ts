import { resolve } from "node:path";
import nock from "nock";
import { loadRepository, type Repository } from "../../src/repo/load-repository.js";
import { localRepo } from "../../src/adapters/fs/local-repo.js";

export const MODEL_BASE = "https://llm.example.test";
export const MODEL_PATH = "/v1/chat/completions";
export const REPO_DIR = resolve(import.meta.dirname, "repo");
export const MODEL_ENV = { REMEDY_TEST_MODEL_KEY: "sk-test-remedy-model-key-0000" };

export function fixtureRepository(): Promise<Repository> {
  return loadRepository(localRepo(REPO_DIR));
}

/** A chat completion shaped as OpenAI returns it (recorded shape, values made up). */
export function chatCompletion(content: string, finishReason: "stop" | "length" = "stop") {
  return {
    id: "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
    object: "chat.completion",
    created: 1_763_719_800,
    model: "gpt-4o-mini-2024-07-18",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: {
      prompt_tokens: 812,
      completion_tokens: 74,
      total_tokens: 886,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 0,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
    service_tier: "default",
    system_fingerprint: "fp_560af6e559",
  };
}

export function answer(
  fields: Partial<
    Record<
      | "runbook_id"
      | "service"
      | "environment"
      | "requested_value"
      | "rationale"
      | "confidence"
      | "uncertainties",
      unknown
    >
  >,
): string {
  return JSON.stringify({
    runbook_id: "none",
    service: "unknown",
    environment: "unknown",
    requested_value: null,
    rationale: "No candidate fits.",
    confidence: 0.8,
    uncertainties: [],
    ...fields,
  });
}

/** Intercepts one chat completions call and keeps the request body it got. */
export function mockModel(
  reply: (body: Record<string, unknown>) => [number, unknown],
  bodies: Array<Record<string, unknown>> = [],
) {
  return nock(MODEL_BASE)
    .post(MODEL_PATH, (body: Record<string, unknown>) => {
      bodies.push(body);
      return true;
    })
    .reply((_uri, body) => reply(body as Record<string, unknown>));
}

import { createHash } from "node:crypto";
import OpenAI from "openai";
import { canonicalJson } from "../../audit/canonical-json.js";
import type { ModelConfig } from "../../config/repo-config.js";
import type { Diagnoser } from "../../diagnosis/diagnoser.js";
import { parseDuration } from "../../verification/parse-duration.js";
import type { Diagnosis } from "../../diagnosis/match-runbooks.js";
import { buildPrompt, type ModelPrompt } from "../../diagnosis/model/build-prompt.js";
import { judgeAnswer, type Judgement } from "../../diagnosis/model/judge-answer.js";
import { modelAnswerJsonSchema } from "../../diagnosis/model/model-answer-json-schema.js";
import type { ModelCallRecord } from "../../diagnosis/model/model-call-record.js";
import { modelNotUsed } from "../../diagnosis/model/model-not-used.js";
import { sanitizeModelText } from "../../diagnosis/model/sanitize-model-text.js";
import type { Incident } from "../../signals/incident.js";

export interface ModelLog {
  info(meta: Record<string, unknown>, message: string): void;
  warn(meta: Record<string, unknown>, message: string): void;
}

export interface OpenAiDiagnoserOptions {
  fetch?: typeof fetch;
  log?: ModelLog;
  /** Called once per model call, before the diagnosis is returned; the wiring appends a `model.call` audit entry. */
  onCall?: (record: ModelCallRecord) => void | Promise<void>;
}

type ResponseFormat = NonNullable<ModelCallRecord["responseFormat"]>;

/**
 * The model diagnoser over any OpenAI-compatible chat completions endpoint (OpenAI, Azure OpenAI,
 * Ollama, vLLM). Undefined without a key, so the caller falls back to the rules alone. Whatever the
 * model does (slow, down, invalid, steered by injected text) the incident goes on with the rules'
 * diagnosis or a safe escalation: this adapter only transports, `judgeAnswer` decides.
 */
export function openAiDiagnoser(
  config: ModelConfig,
  env: Readonly<Record<string, string | undefined>>,
  opts: OpenAiDiagnoserOptions = {},
): Diagnoser | undefined {
  const apiKey = env[config.api_key_env];
  if (apiKey === undefined || apiKey.trim() === "") return undefined;
  const client = createClient(config, apiKey, opts.fetch);

  return async (incident, rules, repository): Promise<Diagnosis> => {
    const prompt = buildPrompt(incident, rules, repository);
    if (prompt.candidates.length === 0)
      return modelNotUsed(rules, config.name, "no runbook candidates to choose among");
    const record = callRecorder(config.name, incident, sha256(canonicalJson(prompt.messages)), opts);
    const reply = await callModel(client, config, prompt);
    if (!reply.ok) {
      await record(reply.record);
      return notUsed(rules, config.name, reply.record.reason, opts.log);
    }
    const judgement = judgeAnswer(reply.content, prompt, incident, rules, repository, config.name);
    await record({
      outputHash: sha256(reply.content),
      outcome: judgement.outcome,
      reason: judgement.reason,
      responseFormat: reply.format,
    });
    logJudgement(opts.log, config.name, incident, judgement);
    return judgement.diagnosis;
  };
}

function createClient(
  config: ModelConfig,
  apiKey: string,
  fetch: typeof globalThis.fetch | undefined,
): OpenAI {
  return new OpenAI({
    apiKey,
    ...(config.base_url === undefined ? {} : { baseURL: config.base_url }),
    timeout: Math.round(parseDuration(config.timeout) * 1000),
    maxRetries: config.max_retries,
    ...(fetch === undefined ? {} : { fetch }),
  });
}

type CallFields = Pick<ModelCallRecord, "outputHash" | "outcome" | "reason" | "responseFormat">;

/** Hands one call's record to `onCall`; a failing audit trail is logged, never fatal. */
function callRecorder(
  model: string,
  incident: Incident,
  promptHash: string,
  opts: OpenAiDiagnoserOptions,
): (fields: CallFields) => Promise<void> {
  return async (fields) => {
    try {
      await opts.onCall?.({
        model,
        promptHash,
        incident: incident.issue,
        incidentKey: incident.key,
        ...fields,
      });
    } catch (error) {
      // The audit trail is evidence, not a gate (flows/audit-step.ts): log and go on.
      opts.log?.warn({ model, err: error }, "model call record failed");
    }
  };
}

/** The model's text to judge, or the record of why there is none (failed, refused, empty, cut off). */
type ModelReply = { ok: true; content: string; format: ResponseFormat } | { ok: false; record: CallFields };

async function callModel(client: OpenAI, config: ModelConfig, prompt: ModelPrompt): Promise<ModelReply> {
  let format: ResponseFormat = "json_schema";
  let completion: OpenAI.Chat.Completions.ChatCompletion;
  try {
    try {
      completion = await complete(client, config, prompt, format);
    } catch (error) {
      if (!schemaUnsupported(error)) throw error;
      // Servers with JSON mode but no structured outputs: the schema is in the prompt and checked here anyway.
      format = "json_object";
      completion = await complete(client, config, prompt, format);
    }
    // Inside the try: a malformed completion (no choices array) is a failed call too.
    return readCompletion(completion, config, format);
  } catch (error) {
    const reason = describeFailure(error, config.timeout);
    return { ok: false, record: { outputHash: null, outcome: "failed", reason, responseFormat: null } };
  }
}

function readCompletion(
  completion: OpenAI.Chat.Completions.ChatCompletion,
  config: ModelConfig,
  format: ResponseFormat,
): ModelReply {
  const choice = completion.choices[0];
  const refusal = choice?.message.refusal;
  if (choice === undefined || choice.message.content === null || choice.message.content === "") {
    const reason = refusal ? `it refused (${sanitizeModelText(refusal, 80)})` : "its answer was empty";
    const outputHash = refusal ? sha256(refusal) : null;
    return { ok: false, record: { outputHash, outcome: "rejected", reason, responseFormat: format } };
  }
  const content = choice.message.content;
  if (choice.finish_reason === "length") {
    const reason = `its answer was cut off at the ${config.max_tokens}-token budget`;
    return {
      ok: false,
      record: { outputHash: sha256(content), outcome: "rejected", reason, responseFormat: format },
    };
  }
  return { ok: true, content, format };
}

function logJudgement(
  log: ModelLog | undefined,
  model: string,
  incident: Incident,
  judgement: Judgement,
): void {
  if (judgement.outcome === "rejected")
    log?.warn(
      { model, incident: incident.issue, reason: judgement.reason },
      "model answer discarded; deterministic diagnosis stands",
    );
  else log?.info({ model, incident: incident.issue, outcome: judgement.outcome }, "model diagnosis");
}

function complete(
  client: OpenAI,
  config: ModelConfig,
  prompt: ModelPrompt,
  format: ResponseFormat,
): Promise<OpenAI.Chat.Completions.ChatCompletion> {
  return client.chat.completions.create({
    model: config.name,
    messages: prompt.messages,
    max_tokens: config.max_tokens,
    response_format:
      format === "json_schema"
        ? {
            type: "json_schema",
            json_schema: {
              name: "remedy_diagnosis",
              strict: true,
              schema: modelAnswerJsonSchema(prompt.choices),
            },
          }
        : { type: "json_object" },
  });
}

function schemaUnsupported(error: unknown): boolean {
  return (
    error instanceof OpenAI.APIError &&
    (error.status === 400 || error.status === 422) &&
    /response_format|json_schema|structured output/i.test(error.message)
  );
}

function describeFailure(error: unknown, timeout: string): string {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return `it did not answer within ${timeout}`;
  if (error instanceof OpenAI.APIConnectionError) return "its endpoint could not be reached";
  if (error instanceof OpenAI.APIError) return `its endpoint answered HTTP ${error.status ?? "error"}`;
  return `the call failed (${sanitizeModelText(error instanceof Error ? error.message : String(error), 80)})`;
}

function notUsed(rules: Diagnosis, model: string, reason: string, log: ModelLog | undefined): Diagnosis {
  log?.warn({ model, reason }, "model not used; deterministic diagnosis stands");
  return modelNotUsed(rules, model, reason);
}

function sha256(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

import type { ModelPrompt } from "./build-prompt.js";
import { modelAnswerSchema, NONE, UNKNOWN, type ModelAnswer } from "./model-answer-schema.js";
import { sanitizeModelText } from "./sanitize-model-text.js";

/** The model's answer read against this prompt's choices, or why it cannot be used. */
export type ParsedAnswer = { ok: true; answer: ModelAnswer } | { ok: false; reason: string };

/**
 * Reads a model's text as one JSON answer that chooses only among the prompt's choices. An id
 * outside them is named plainly; any other misfit is the schema's first complaint.
 */
export function parseModelAnswer(content: string, prompt: ModelPrompt): ParsedAnswer {
  let raw: unknown;
  try {
    raw = JSON.parse(stripFence(content));
  } catch {
    return { ok: false, reason: "its answer is not valid JSON" };
  }
  const outside = outsideChoices(raw, prompt);
  if (outside !== null) return { ok: false, reason: outside };
  const parsed = modelAnswerSchema(prompt.choices).safeParse(raw);
  if (parsed.success) return { ok: true, answer: parsed.data };
  const issue = parsed.error.issues[0];
  const problem =
    issue === undefined
      ? "unknown problem"
      : `${issue.path.join(".") || "answer"}: ${sanitizeModelText(issue.message, 80)}`;
  return { ok: false, reason: `its answer does not fit the schema (${problem})` };
}

/** Names the offending id plainly rather than as a generic schema error, so the packet says what was tried. */
function outsideChoices(raw: unknown, prompt: ModelPrompt): string | null {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return null;
  const record = raw as Record<string, unknown>;
  const checks: Array<[string, string[], string, string]> = [
    ["runbook_id", [...prompt.choices.runbooks, NONE], "runbook", "is not among the candidates"],
    ["service", [...prompt.choices.services, UNKNOWN], "service", "is not a configured service"],
    [
      "environment",
      [...prompt.choices.environments, UNKNOWN],
      "environment",
      "is not a configured environment",
    ],
  ];
  for (const [field, allowed, noun, why] of checks) {
    const value = record[field];
    if (typeof value === "string" && !allowed.includes(value))
      return `it chose ${noun} "${sanitizeModelText(value, 60)}", which ${why}`;
  }
  return null;
}

/** JSON-mode servers sometimes wrap the object in a ```json fence; nothing more lenient than that. */
function stripFence(content: string): string {
  const match = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(content);
  return match?.[1] ?? content;
}

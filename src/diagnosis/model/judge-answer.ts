import type { Repository } from "../../repo/load-repository.js";
import type { Incident } from "../../signals/incident.js";
import { resolveTarget } from "../../signals/resolve-target.js";
import { mentions } from "../../text/words.js";
import { MATCH_THRESHOLD, type Diagnosis } from "../match-runbooks.js";
import type { ModelPrompt } from "./build-prompt.js";
import { modelAnswerSchema, NONE, UNKNOWN, type ModelAnswer } from "./model-answer-schema.js";
import type { ModelCallRecord } from "./model-call-record.js";
import { modelNotUsed } from "./model-not-used.js";
import { sanitizeModelText } from "./sanitize-model-text.js";

export interface Judgement {
  diagnosis: Diagnosis;
  outcome: Exclude<ModelCallRecord["outcome"], "failed">;
  reason: string;
}

/** Below this self-reported confidence a model may not overturn the rules' "no runbook". */
export const MIN_RESCUE_CONFIDENCE = 0.6;
/**
 * A rescued runbook's confidence never exceeds this: the rules did not find it, so the packet's
 * "check that this runbook fits" uncertainty (confidence < 0.5) must always show.
 */
export const RESCUE_CONFIDENCE_CAP = 0.45;

/**
 * Decides what a model's answer may change. The model chooses among the prompt's candidates or none;
 * anything outside that (another runbook, another service than the signal's, a value no person wrote,
 * malformed output) discards the whole answer, because an answer that is wrong in one field was
 * likely steered by the text it read. Pure: tested without HTTP.
 */
export function judgeAnswer(
  content: string,
  prompt: ModelPrompt,
  incident: Incident,
  rules: Diagnosis,
  repository: Repository,
  model: string,
): Judgement {
  const reject = (reason: string): Judgement => ({
    diagnosis: modelNotUsed(rules, model, reason),
    outcome: "rejected",
    reason,
  });

  let raw: unknown;
  try {
    raw = JSON.parse(stripFence(content));
  } catch {
    return reject("its answer is not valid JSON");
  }
  const outside = outsideChoices(raw, prompt);
  if (outside !== null) return reject(outside);
  const parsed = modelAnswerSchema(prompt.choices).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return reject(
      `its answer does not fit the schema (${issue === undefined ? "unknown problem" : `${issue.path.join(".") || "answer"}: ${sanitizeModelText(issue.message, 80)}`})`,
    );
  }
  const answer = parsed.data;

  const resolution = resolveTarget(incident, repository.config);
  const notes: string[] = [];
  for (const [kind, named, resolved] of [
    ["service", answer.service, resolution.service],
    ["environment", answer.environment, resolution.environment],
  ] as const) {
    if (named === UNKNOWN) continue;
    if (resolution.ok && named !== resolved)
      return reject(`it named ${kind} ${named}, but the signal resolves to ${resolved}`);
    if (!resolution.ok && named !== resolved) {
      if (!namesInText(incident.text, named, kind, repository))
        return reject(`it named ${kind} ${named}, which the incident text does not mention`);
      notes.push(
        `model suggests ${kind} ${named} (named in the text); Remedy resolves ${kind}s only from the signal, so name it in the issue to act on it`,
      );
    }
  }
  if (
    answer.requested_value !== null &&
    answer.requested_value.trim() !== "" &&
    !literallyIn(incident.trustedText, answer.requested_value.trim())
  ) {
    return reject(
      `it asked for the value "${sanitizeModelText(answer.requested_value, 40)}", which no person with write permission wrote`,
    );
  }

  const chosen = answer.runbook_id === NONE ? null : answer.runbook_id;
  const ruled = rules.runbook?.id ?? null;
  const said = describe(answer, model, incident.text);
  const tail = notes.length > 0 ? ` Note: ${notes.join("; ")}.` : "";

  const agreed = (): Diagnosis => ({
    ...rules,
    drivers: [...rules.drivers, `model ${model} agrees`],
    model: { name: model, outcome: "agreed", reason: "agrees with the rules" },
    explanation: `${rules.explanation} Model ${model} agrees.${tail}`,
  });
  if (chosen === ruled) {
    return {
      diagnosis: agreed(),
      outcome: "agreed",
      reason: "agrees with the rules",
    };
  }
  if (ruled !== null) {
    // Overturning a runbook the rules matched is exactly what injected text would try; a human decides.
    return {
      diagnosis: {
        ...rules,
        runbook: null,
        confidence: 0,
        level: "low",
        drivers: [...rules.drivers, `model ${model} disagrees: it chose ${chosen ?? NONE}`],
        model: {
          name: model,
          outcome: "disagreed",
          reason: `chose ${chosen ?? NONE} against the rules' ${ruled}`,
        },
        decidedBy: "model",
        explanation: `The rules chose ${ruled}, but ${said}; a human must choose. Rules: ${rules.explanation}${tail}`,
      },
      outcome: "disagreed",
      reason: `chose ${chosen ?? NONE} against the rules' ${ruled}`,
    };
  }
  if (chosen === null)
    return {
      diagnosis: agreed(),
      outcome: "agreed",
      reason: "agrees with the rules",
    };
  if (answer.confidence < MIN_RESCUE_CONFIDENCE)
    return reject(`its confidence ${answer.confidence} in ${chosen} is below ${MIN_RESCUE_CONFIDENCE}`);
  const runbook = repository.runbooks.find((r) => r.id === chosen);
  if (runbook === undefined) return reject(`runbook ${chosen} is not loaded`);
  const score = rules.candidates.find((c) => c.id === chosen)?.score ?? 0;
  return {
    diagnosis: {
      runbook,
      confidence: Math.min(answer.confidence, RESCUE_CONFIDENCE_CAP),
      // Never high: the rules did not find it. Medium, because the model's choice passed every check
      // above and the packet still asks the reviewer to check the fit.
      level: "medium",
      drivers: [
        `the rules scored ${chosen} ${score} (needed ${MATCH_THRESHOLD})`,
        `model ${model} chose it with confidence ${answer.confidence}, capped at ${RESCUE_CONFIDENCE_CAP}`,
      ],
      model: { name: model, outcome: "accepted", reason: `rescued ${chosen}` },
      explanation: `${capitalise(said)}, which the rules scored ${score} (needed ${MATCH_THRESHOLD}); confidence capped at ${RESCUE_CONFIDENCE_CAP}. Without the model: ${rules.explanation}${tail}`,
      candidates: rules.candidates,
      decidedBy: "model",
    },
    outcome: "accepted",
    reason: `rescued ${chosen}`,
  };
}

function describe(answer: ModelAnswer, model: string, incidentText: string): string {
  const choice = answer.runbook_id === NONE ? "no runbook" : `runbook ${answer.runbook_id}`;
  const echoed = shingles(incidentText);
  const own = (text: string, max: number): string | null => {
    const clean = sanitizeModelText(text, max);
    return clean === "" || [...shingles(clean)].some((s) => echoed.has(s)) ? null : clean;
  };
  const rationale = own(answer.rationale, 200);
  const doubts = answer.uncertainties.slice(0, 2).flatMap((u) => own(u, 100) ?? []);
  const said =
    rationale === null
      ? "its rationale withheld: it repeats the incident text or is empty"
      : `its rationale, unverified: "${rationale.replaceAll('"', "'")}"`;
  return `model ${model} chose ${choice} (${said}${doubts.length > 0 ? `; its doubts: ${doubts.join("; ")}` : ""})`;
}

/**
 * Runs of three words. Model prose lands in the packet outside a fenced quote, so prose that repeats
 * the incident text (where injected instructions live) is withheld rather than relayed.
 */
function shingles(text: string): Set<string> {
  const tokens = text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t !== "");
  return new Set(tokens.slice(2).map((_, i) => tokens.slice(i, i + 3).join(" ")));
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

function namesInText(
  text: string,
  name: string,
  kind: "service" | "environment",
  repository: Repository,
): boolean {
  const aliases =
    kind === "service"
      ? (repository.config.services[name]?.aliases ?? [])
      : (repository.config.environments[name]?.aliases ?? []);
  return [name, ...aliases].some((alias) => mentions(text, alias));
}

/** The value as a whole token of the human's text: "5" is not in "500", "1.4" is not in "1.4.3". */
function literallyIn(text: string, value: string): boolean {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![A-Za-z0-9.:-])${escaped}(?![A-Za-z0-9]|[.:-][A-Za-z0-9])`).test(text);
}

/** JSON-mode servers sometimes wrap the object in a ```json fence; nothing more lenient than that. */
function stripFence(content: string): string {
  const match = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(content);
  return match?.[1] ?? content;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

import type { Repository } from "../../repo/load-repository.js";
import type { Incident } from "../../signals/incident.js";
import { resolveTarget } from "../../signals/resolve-target.js";
import { mentions } from "../../text/words.js";
import { MATCH_THRESHOLD, type Diagnosis } from "../match-runbooks.js";
import type { Runbook } from "../runbook-schema.js";
import type { ModelPrompt } from "./build-prompt.js";
import { NONE, UNKNOWN, type ModelAnswer } from "./model-answer-schema.js";
import type { ModelCallRecord } from "./model-call-record.js";
import { modelNotUsed } from "./model-not-used.js";
import { parseModelAnswer } from "./parse-model-answer.js";
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
  const parsed = parseModelAnswer(content, prompt);
  if (!parsed.ok) return reject(parsed.reason);
  const answer = parsed.answer;
  const targets = checkTargets(answer, incident, repository);
  if (!targets.ok) return reject(targets.reason);
  const unasked = unaskedValue(answer, incident);
  if (unasked !== null) return reject(unasked);
  return weighChoice({ answer, incident, rules, repository, model, notes: targets.notes }, reject);
}

type TargetCheck = { ok: true; notes: string[] } | { ok: false; reason: string };

/**
 * The service and environment the model named must be the signal's; when the signal resolves
 * neither, a name the incident text mentions is kept as a note for the reviewer, never acted on.
 */
function checkTargets(answer: ModelAnswer, incident: Incident, repository: Repository): TargetCheck {
  const resolution = resolveTarget(incident, repository.config);
  const notes: string[] = [];
  for (const [kind, named, resolved] of [
    ["service", answer.service, resolution.service],
    ["environment", answer.environment, resolution.environment],
  ] as const) {
    if (named === UNKNOWN || named === resolved) continue;
    if (resolution.ok)
      return { ok: false, reason: `it named ${kind} ${named}, but the signal resolves to ${resolved}` };
    if (!namesInText(incident.text, named, kind, repository))
      return { ok: false, reason: `it named ${kind} ${named}, which the incident text does not mention` };
    notes.push(
      `model suggests ${kind} ${named} (named in the text); Remedy resolves ${kind}s only from the signal, so name it in the issue to act on it`,
    );
  }
  return { ok: true, notes };
}

/** Why a requested value the model reports must be rejected: no person with write permission wrote it. */
function unaskedValue(answer: ModelAnswer, incident: Incident): string | null {
  const value = answer.requested_value;
  if (value === null || value.trim() === "" || literallyIn(incident.trustedText, value.trim())) return null;
  return `it asked for the value "${sanitizeModelText(value, 40)}", which no person with write permission wrote`;
}

interface Weighing {
  answer: ModelAnswer;
  incident: Incident;
  rules: Diagnosis;
  repository: Repository;
  model: string;
  /** Suggestions kept for the reviewer, appended to the explanation. */
  notes: string[];
}

/** A checked answer against the rules' choice: agree, disagree (a human decides), or rescue. */
function weighChoice(w: Weighing, reject: (reason: string) => Judgement): Judgement {
  const chosen = w.answer.runbook_id === NONE ? null : w.answer.runbook_id;
  const ruled = w.rules.runbook?.id ?? null;
  const tail = w.notes.length > 0 ? ` Note: ${w.notes.join("; ")}.` : "";
  if (chosen === ruled) return agreed(w.rules, w.model, tail);
  const said = describe(w.answer, w.model, w.incident.text);
  // Overturning a runbook the rules matched is exactly what injected text would try; a human decides.
  if (ruled !== null) return disagreed(w.rules, w.model, { chosen, ruled, said, tail });
  if (w.answer.confidence < MIN_RESCUE_CONFIDENCE)
    return reject(`its confidence ${w.answer.confidence} in ${chosen} is below ${MIN_RESCUE_CONFIDENCE}`);
  const runbook = w.repository.runbooks.find((r) => r.id === chosen);
  if (runbook === undefined) return reject(`runbook ${chosen} is not loaded`);
  return rescued(w, runbook, { said, tail });
}

function agreed(rules: Diagnosis, model: string, tail: string): Judgement {
  return {
    diagnosis: {
      ...rules,
      drivers: [...rules.drivers, `model ${model} agrees`],
      model: { name: model, outcome: "agreed", reason: "agrees with the rules" },
      explanation: `${rules.explanation} Model ${model} agrees.${tail}`,
    },
    outcome: "agreed",
    reason: "agrees with the rules",
  };
}

function disagreed(
  rules: Diagnosis,
  model: string,
  { chosen, ruled, said, tail }: { chosen: string | null; ruled: string; said: string; tail: string },
): Judgement {
  const reason = `chose ${chosen ?? NONE} against the rules' ${ruled}`;
  return {
    diagnosis: {
      ...rules,
      runbook: null,
      confidence: 0,
      level: "low",
      drivers: [...rules.drivers, `model ${model} disagrees: it chose ${chosen ?? NONE}`],
      model: { name: model, outcome: "disagreed", reason },
      decidedBy: "model",
      explanation: `The rules chose ${ruled}, but ${said}; a human must choose. Rules: ${rules.explanation}${tail}`,
    },
    outcome: "disagreed",
    reason,
  };
}

function rescued(
  { answer, rules, model }: Weighing,
  runbook: Runbook,
  { said, tail }: { said: string; tail: string },
): Judgement {
  const chosen = runbook.id;
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

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

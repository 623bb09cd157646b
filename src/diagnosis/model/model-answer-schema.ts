import { z } from "zod";

/** The ids and names a model may answer with; everything else is outside its reach. */
export interface ModelChoices {
  runbooks: string[];
  services: string[];
  environments: string[];
}

export const NONE = "none";
export const UNKNOWN = "unknown";

/**
 * The model's structured output. Built per call so the enums are exactly this incident's candidates
 * and this repository's services: a strict server cannot even emit another id, and a lenient one is
 * caught by the same schema on our side.
 */
export function modelAnswerSchema(choices: ModelChoices) {
  return z.strictObject({
    runbook_id: z
      .enum([NONE, ...choices.runbooks])
      .describe(`one candidate runbook id, or "${NONE}" when none fits`),
    service: z
      .enum([UNKNOWN, ...choices.services])
      .describe(`the configured service the incident is about, or "${UNKNOWN}"`),
    environment: z
      .enum([UNKNOWN, ...choices.environments])
      .describe(`the configured environment, or "${UNKNOWN}"`),
    requested_value: z
      .string()
      .nullable()
      .describe(
        "a replica count or image tag a person explicitly asked for, copied verbatim from the incident text; null when none",
      ),
    rationale: z.string().describe("one or two plain sentences: why this runbook"),
    confidence: z.number().min(0).max(1).describe("0 to 1"),
    uncertainties: z.array(z.string()).describe("what a reviewer should double-check"),
  });
}
export type ModelAnswer = z.infer<ReturnType<typeof modelAnswerSchema>>;

import { z } from "zod";
import { modelAnswerSchema, type ModelChoices } from "./model-answer-schema.js";

/**
 * The JSON Schema sent as `response_format.json_schema.schema`, derived from the zod schema so the
 * two cannot drift. `$schema` is dropped: strict structured-output servers reject keys they do not know.
 */
export function modelAnswerJsonSchema(choices: ModelChoices): Record<string, unknown> {
  const { $schema: _drop, ...schema } = z.toJSONSchema(modelAnswerSchema(choices), {
    target: "draft-7",
  }) as Record<string, unknown>;
  return schema;
}

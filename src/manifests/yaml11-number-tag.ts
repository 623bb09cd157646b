import { locateField } from "./locate-field.js";
import type { ManifestTarget } from "./types.js";

// YAML 1.1 floats and ints (sexagesimal, underscores, leading dot) beyond what 1.2 calls a number.
const YAML11_NUMBER =
  /^[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/**
 * The image tag of a target when it is written as a plain (unquoted) scalar that a YAML 1.1 reader
 * (older Helm tooling, some linters) would take for a number: `1.10` becomes 1.1 there. Remedy keeps
 * it as written, but the tool that renders the manifest may not. Null when quoted, absent or not numeric.
 */
export function yaml11NumberTag(text: string, target: ManifestTarget): string | null {
  const located = locateField(text, target, "image");
  if (!located.ok || located.at.form !== "tag" || located.at.scalar.style !== "plain") return null;
  return YAML11_NUMBER.test(located.at.value) ? located.at.value : null;
}

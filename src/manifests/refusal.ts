import { formatPath } from "./yaml.js";
import type { LookupFailure, PathStep } from "./yaml.js";
import type { Refusal, RefusalCode } from "./types.js";

export function refuse(code: RefusalCode, reason: string): Refusal {
  return { ok: false, code, reason };
}

/**
 * Turns a failed lookup into a refusal that names the file and the path and says what to do about it.
 * `hint` is appended to "missing" reasons, where the fix depends on the kind of file.
 */
export function lookupRefusal(file: string, label: string, failure: LookupFailure, hint = ""): Refusal {
  const at = formatPath(failure.at);
  const tail = hint === "" ? "" : ` ${hint}`;
  switch (failure.why) {
    case "missing":
      return refuse(
        "missing",
        `${file}: ${label} does not exist${at === label ? "" : ` (${at} is not there)`}; Remedy never creates keys.${tail}`,
      );
    case "no-value":
      return refuse(
        "missing",
        `${file}: ${label} has no value; set it by hand once, then Remedy can change it.`,
      );
    case "alias":
      return refuse(
        "alias",
        `${file}: ${label} cannot be edited safely: at ${at}, ${failure.detail}. An edit would also change every place that shares it; write the value out explicitly.`,
      );
    case "merge":
      return refuse(
        "alias",
        `${file}: ${label} is not set explicitly in ${formatPath(failure.at.slice(0, -1))} and may come from its << merge; Remedy does not edit merged values. Write the key out explicitly.`,
      );
    case "not-a-map":
      return refuse("missing", `${file}: ${label} cannot be reached because ${at} is not a map.${tail}`);
    case "not-a-list":
      return refuse("missing", `${file}: ${label} cannot be reached because ${at} is not a list.`);
    case "not-a-scalar":
      return refuse("invalid-value", `${file}: ${label} is a map or a list; expected a single value.`);
    case "ambiguous":
      return refuse(
        "ambiguous",
        `${file}: ${at} matches ${failure.count} entries; expected exactly one. Remove the duplicates.`,
      );
  }
}

export function isPathPrefix(prefix: readonly PathStep[], path: readonly PathStep[]): boolean {
  return (
    prefix.length <= path.length &&
    prefix.every((step, i) => JSON.stringify(step) === JSON.stringify(path[i]))
  );
}

/**
 * Concrete values a person asked for in their own words. Only text written by someone with write
 * permission is passed here (SPEC §3.4); alert text never reaches this function.
 */
export interface RequestedValues {
  replicas?: { kind: "absolute"; count: number } | { kind: "relative"; delta: number };
  tag?: string;
  /** Set per field when the text names several different values, so the caller can refuse to guess. */
  conflicts: { replicas?: string; tag?: string };
}

const TAG = String.raw`v?\d+(?:\.\d+){1,3}(?:[-+][A-Za-z0-9][A-Za-z0-9._-]*)?`;
const DIGEST = String.raw`sha256:[a-f0-9]{64}`;

export function requestedValues(text: string): RequestedValues {
  const result: RequestedValues = { conflicts: {} };
  const replicas = new Map<string, NonNullable<RequestedValues["replicas"]>>();
  const unit = String.raw`(?:replicas?|pods?|instances?|copies)`;
  const absolute = [
    new RegExp(
      String.raw`\b(?:scale|scaling|resize|set)\b[^.\n]{0,40}?\bto\s+(\d{1,5})\b(?!\s*(?:%|x\b|ms\b|s\b|percent))`,
      "gi",
    ),
    new RegExp(String.raw`\b(?:replicas?|replicaCount|replica count)\s*(?:to|=|:)\s*(\d{1,5})\b`, "gi"),
    new RegExp(String.raw`(?<!\b(?:add|another|extra)\s)\b(\d{1,5})\s+(?:total\s+)?${unit}\b`, "gi"),
  ];
  for (const pattern of absolute) {
    for (const match of text.matchAll(pattern)) {
      const before = text.slice(Math.max(0, (match.index ?? 0) - 12), match.index ?? 0);
      if (/\b(add|another|extra|by)\s*$/i.test(before)) continue;
      const count = Number(match[1]);
      replicas.set(`=${count}`, { kind: "absolute", count });
    }
  }
  const relative = new RegExp(
    String.raw`\b(?:add|another|extra|by)\s+(\d{1,4})\s+(?:more\s+)?${unit}\b|\b(\d{1,4})\s+(?:more|extra|additional)\s+${unit}\b`,
    "gi",
  );
  for (const match of text.matchAll(relative)) {
    const delta = Number(match[1] ?? match[2]);
    replicas.set(`+${delta}`, { kind: "relative", delta });
  }
  if (replicas.size === 1)
    result.replicas = [...replicas.values()][0] as NonNullable<RequestedValues["replicas"]>;
  else if (replicas.size > 1)
    result.conflicts.replicas = `several replica counts (${[...replicas.keys()].join(", ")})`;

  const tags = new Set<string>();
  for (const match of text.matchAll(
    new RegExp(String.raw`(?<![\w.:/-])(${DIGEST}|${TAG})(?![\w.-]*\d*%)(?![\w-])`, "g"),
  )) {
    const value = (match[1] as string).replace(/[.]+$/, "");
    const after = text.slice((match.index ?? 0) + match[0].length, (match.index ?? 0) + match[0].length + 4);
    if (/^\s*(%|ms\b|s\b|x\b)/.test(after)) continue;
    tags.add(value);
  }
  if (tags.size === 1) result.tag = [...tags][0] as string;
  else if (tags.size > 1) {
    // "from 1.4.2 to 1.5.0": the value after "to"/"tag"/"deploy" is the one asked for.
    const preferred = [
      ...text.matchAll(
        new RegExp(
          String.raw`\b(?:to|tag|image|deploy|pin|upgrade)\s+(?:image\s+tag\s+|tag\s+|version\s+)?(${DIGEST}|${TAG})`,
          "gi",
        ),
      ),
    ].map((m) => (m[1] as string).replace(/[.]+$/, ""));
    const distinct = new Set(preferred);
    // The others must read as the current or old value ("from 1.4.2"); "deploy 1.4.3 or 1.4.4" is a conflict, not a pick.
    const others = [...tags].filter((tag) => !distinct.has(tag));
    const allOld = others.every((tag) =>
      new RegExp(
        String.raw`\b(?:from|since|currently|was|replacing)\s+(?:image\s+|tag\s+|version\s+)?${escapeRegExp(tag)}(?![\w.-])`,
        "i",
      ).test(text),
    );
    if (distinct.size === 1 && allOld) result.tag = [...distinct][0] as string;
    else result.conflicts.tag = `several image tags (${[...tags].join(", ")})`;
  }
  return result;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Text normalisation shared by runbook matching and policy escalation matchers: lower-case words,
 * punctuation dropped, a light stemmer so "errors"/"error" and "spiking"/"spike" meet, and stopwords
 * removed so "after the deploy" matches the keyword "after deploy".
 */
const STOPWORDS = new Set([
  "a",
  "an",
  "the",
  "of",
  "in",
  "on",
  "at",
  "to",
  "for",
  "and",
  "or",
  "is",
  "are",
  "was",
  "were",
  "be",
  "been",
  "this",
  "that",
  "these",
  "those",
  "it",
  "its",
  "our",
  "we",
  "please",
  "with",
  "by",
  "from",
  "as",
  "has",
  "have",
  "had",
  "very",
  "so",
  "than",
  "just",
  "now",
  "all",
  "some",
]);

export function words(text: string): string[] {
  return text
    .toLowerCase()
    .normalize("NFKC")
    .split(/[^a-z0-9.\-_]+/)
    .flatMap((token) => token.replace(/^[.\-_]+|[.\-_]+$/g, "").split(/(?<=[a-z])[-_](?=[a-z])/))
    .filter((token) => token.length > 0 && !STOPWORDS.has(token))
    .map(stem);
}

export function stem(word: string): string {
  if (/\d/.test(word) || word.length <= 3) return word;
  let w = word;
  if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us")) w = w.slice(0, -1);
  if (w.endsWith("ing") && w.length > 5) w = w.slice(0, -3);
  else if (w.endsWith("ed") && w.length > 4) w = w.slice(0, -2);
  else if (w.endsWith("ment") && w.length > 6) w = w.slice(0, -4);
  if (w.endsWith("e") && w.length > 4) w = w.slice(0, -1);
  return w;
}

/** Whether the phrase's words appear in order in the text's words, at most `gap` other words apart. */
export function containsPhrase(textWords: readonly string[], phrase: string, gap = 1): boolean {
  const needle = words(phrase);
  if (needle.length === 0) return false;
  for (let start = 0; start < textWords.length; start++) {
    if (textWords[start] !== needle[0]) continue;
    let position = start;
    let matched = 1;
    for (; matched < needle.length; matched++) {
      const next = textWords.indexOf(needle[matched] as string, position + 1);
      if (next === -1 || next - position - 1 > gap) break;
      position = next;
    }
    if (matched === needle.length) return true;
  }
  return false;
}

/** Whether `name` (a service or environment name, which may contain '-') stands as a whole word in text. */
export function mentions(text: string, name: string): boolean {
  const escaped = name.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^a-z0-9_-])${escaped}(?=$|[^a-z0-9_-]|[.,;:!?)](?:\\s|$)|'s\\b)`).test(
    text.toLowerCase(),
  );
}

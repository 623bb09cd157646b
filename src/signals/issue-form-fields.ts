/**
 * The answers of a GitHub issue form, as GitHub renders them into the issue body:
 * `### Label\n\nanswer\n\n### Next label\n\n_No response_`. Keys are the lower-cased labels.
 *
 * Only a body that starts with a `### ` heading is read as a form, only the first answer under a
 * label counts (a later `### Service` typed into a free-text answer does not override it), and an
 * answer is kept only when it is one short line: these fields name a service or an environment, never
 * free text. Everything returned is untrusted data, like the rest of the issue.
 */
export function issueFormFields(body: string): Record<string, string> {
  const lines = body.replace(/\r\n?/g, "\n").split("\n");
  if (!/^### \S/.test(lines[0] ?? "")) return {};
  const fields: Record<string, string> = {};
  const seen = new Set<string>();
  let label: string | null = null;
  let answer: string[] = [];
  const flush = (): void => {
    if (label === null || seen.has(label)) return;
    seen.add(label);
    const text = answer.join("\n").trim();
    if (text === "" || text === "_No response_" || text.includes("\n") || text.length > 100) return;
    fields[label] = text;
  };
  for (const line of lines) {
    const heading = /^### (.+?)\s*$/.exec(line);
    if (heading !== null) {
      flush();
      label = (heading[1] as string).toLowerCase();
      answer = [];
    } else {
      answer.push(line);
    }
  }
  flush();
  return fields;
}

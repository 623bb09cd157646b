export interface QueryVars {
  service: string;
  environment: string;
  namespace?: string;
  workload?: string;
}

type Quote = '"' | "'" | "`";
type Context = { kind: "code" } | { kind: "comment" } | { kind: "string"; quote: Quote; regex: boolean };

const PLACEHOLDER = /^\{\{\s*([A-Za-z_]\w*)\s*\}\}/;
const KNOWN = ["service", "environment", "namespace", "workload"] as const;

/**
 * Substitutes {{service}}, {{environment}}, {{namespace}} and {{workload}} in a PromQL template.
 *
 * Names come from alerts and issues, so they are data: each value is escaped for the literal it lands
 * in (double-, single- or back-quoted; after =~ or !~ regex metacharacters are quoted too, so
 * "api.*" cannot widen a match). Outside a string only a plain identifier is accepted. Anything that
 * cannot be made safe throws, and callers report the check as no data.
 */
export function renderQuery(query: string, vars: QueryVars): string {
  let out = "";
  let context: Context = { kind: "code" };
  let i = 0;
  while (i < query.length) {
    const placeholder = query.startsWith("{{", i) ? PLACEHOLDER.exec(query.slice(i)) : null;
    if (placeholder) {
      const name = placeholder[1] ?? "";
      out += escapeFor(context, lookup(vars, name), name);
      i += placeholder[0].length;
      continue;
    }
    const ch = query[i] ?? "";
    out += ch;
    i += 1;
    if (context.kind === "comment") {
      if (ch === "\n") context = { kind: "code" };
    } else if (context.kind === "string") {
      if (ch === "\\" && context.quote !== "`" && i < query.length) {
        out += query[i] ?? "";
        i += 1;
      } else if (ch === context.quote) {
        context = { kind: "code" };
      }
    } else if (ch === "#") {
      context = { kind: "comment" };
    } else if (ch === '"' || ch === "'" || ch === "`") {
      context = { kind: "string", quote: ch, regex: /[=!]~\s*.$/.test(out) };
    }
  }
  if (context.kind === "string")
    throw new Error(`query has an unterminated ${context.quote} string: ${query}`);
  return out;
}

function lookup(vars: QueryVars, name: string): string {
  if (!(KNOWN as readonly string[]).includes(name)) {
    throw new Error(
      `query uses unknown placeholder {{${name}}}; known placeholders: ${KNOWN.map((k) => `{{${k}}}`).join(", ")}`,
    );
  }
  const value = vars[name as (typeof KNOWN)[number]];
  if (value === undefined)
    throw new Error(`query uses {{${name}}} but no ${name} is known for this workload`);
  return value;
}

function escapeFor(context: Context, value: string, name: string): string {
  switch (context.kind) {
    case "comment":
      return value.replace(/[\r\n]+/g, " ");
    case "code":
      if (/^[A-Za-z0-9_:]+$/.test(value)) return value;
      throw new Error(
        `query uses {{${name}}} outside a quoted string and ${JSON.stringify(value)} is not a plain identifier; ` +
          `quote it, e.g. ${name}="{{${name}}}"`,
      );
    case "string": {
      const literal = context.regex ? quoteRegex(value) : value;
      if (context.quote === "`") {
        // Raw strings have no escapes at all, so a backtick in the value could only end the literal.
        if (literal.includes("`"))
          throw new Error(`{{${name}}} value ${JSON.stringify(value)} cannot go inside a backtick string`);
        return literal;
      }
      return escapeQuoted(literal, context.quote);
    }
  }
}

/** Like Go's regexp.QuoteMeta: Prometheus matchers are RE2. */
function quoteRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

/** PromQL's lexer accepts the escapes of Go string literals, plus only the literal's own quote. */
function escapeQuoted(value: string, quote: '"' | "'"): string {
  let out = "";
  for (const ch of value) {
    if (ch === "\\" || ch === quote) out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch < " " || ch === "\x7f") out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out;
}

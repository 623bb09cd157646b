import type { Nodes, Paragraph, RootContent } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";

export type CommandName = "diagnose" | "dry-run" | "propose" | "rollback" | "pause" | "resume" | "set";
const COMMANDS: readonly CommandName[] = [
  "diagnose",
  "dry-run",
  "propose",
  "rollback",
  "pause",
  "resume",
  "set",
];

export interface Command {
  name: CommandName;
  /** The rest of the comment outside code and quotes: human words that may name a value. */
  text: string;
  /** What follows the command on its own line, trimmed (`/set 8` → "8"); "" when nothing does. */
  argument: string;
}

/** Stands in for inline code and inline HTML, so no command can be spliced together across them. */
const OPAQUE = "\uFFFC";

/** A line that might start with a command once its containers are stripped. */
const CANDIDATE = new RegExp(`^[ \\t>*+\\-\\d.)]*\\/(?:${COMMANDS.join("|")})(?:\\s|$)`, "m");

/** Emphasis and links are left as text: their resolution is the parser's costly part, and neither can hide a line. */
const FLAT_INLINE = { disable: { null: ["attention", "labelStartImage", "labelStartLink", "labelEnd"] } };

const MAX_DEPTH = 16;
/** GitHub's own cap on a comment body; anything longer did not come from a comment. */
const MAX_COMMENT = 65_536;

/** Whether some line opens more than {@link MAX_DEPTH} block quotes or list items at once. */
function tooDeep(text: string): boolean {
  const marker = /^[ \t]{0,3}(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t]))/;
  for (const line of text.split("\n")) {
    let rest = line;
    for (let depth = 0; ; depth++) {
      const match = marker.exec(rest);
      if (match === null) break;
      if (depth >= MAX_DEPTH) return true;
      rest = rest.slice(match[0].length);
    }
  }
  return false;
}

/**
 * Finds slash commands the way a reader of the rendered comment sees them: the comment is parsed as
 * CommonMark, and a command counts only at the start of a line of a top-level paragraph. Anything a
 * reader does not see as a plain instruction — HTML comments and blocks (`<!-- /rollback -->`,
 * `<pre>`), block quotes with their lazy continuation lines, fenced and indented code (a fence closes
 * only where CommonMark says it does), inline code, list items — never triggers anything.
 */
export function parseCommands(body: string): Command[] {
  const text = body.replace(/\r\n?/g, "\n");
  // Anyone can comment, and parsing comes before the permission check: a comment with no line that
  // could hold a command, or with containers nested deeper than any person writes (the parser's cost
  // grows with depth times length), is not parsed at all and has no command.
  if (text.length > MAX_COMMENT || !CANDIDATE.test(text) || tooDeep(text)) return [];
  const root = fromMarkdown(text, { extensions: [FLAT_INLINE] });
  const commands: Array<Omit<Command, "text">> = [];
  for (const node of root.children) {
    if (node.type !== "paragraph") continue;
    for (const line of paragraphLines(node)) {
      const match = /^\/([a-z-]+)(?=\s|$)(.*)$/.exec(line.trimStart());
      const name = match?.[1] as CommandName | undefined;
      if (name !== undefined && COMMANDS.includes(name) && !commands.some((c) => c.name === name)) {
        commands.push({ name, argument: (match?.[2] ?? "").replaceAll(OPAQUE, " ").trim() });
      }
    }
  }
  const plain = root.children
    .map(plainText)
    .filter((t) => t.trim() !== "")
    .join("\n")
    .replaceAll(OPAQUE, " ");
  return commands.map((c) => ({ ...c, text: plain }));
}

/** A paragraph's rendered lines, built only from its direct text; anything else is opaque. */
function paragraphLines(paragraph: Paragraph): string[] {
  let joined = "";
  for (const child of paragraph.children) {
    if (child.type === "text") joined += child.value;
    else if (child.type === "break") joined += "\n";
    else joined += OPAQUE;
  }
  return joined.split("\n");
}

/** Human words outside code, quotes and HTML, with line breaks kept so values stay on their line. */
function plainText(node: RootContent | Nodes): string {
  switch (node.type) {
    case "text":
      return node.value;
    case "break":
      return "\n";
    case "inlineCode":
      return OPAQUE;
    case "code":
    case "html":
    case "blockquote":
    case "definition":
    case "footnoteDefinition":
      return "";
    default:
      if ("children" in node) {
        const parts = (node.children as Nodes[]).map(plainText);
        const block = node.type === "list" || node.type === "listItem" || node.type === "root";
        return parts.join(block ? "\n" : "");
      }
      return "";
  }
}

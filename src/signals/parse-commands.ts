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

/**
 * Finds slash commands at the start of a line, outside fenced code blocks, inline code and quotes,
 * so a quoted "/rollback" in a reply or a pasted log never triggers anything.
 */
export function parseCommands(body: string): Command[] {
  const commands: Array<Omit<Command, "text">> = [];
  const plain: string[] = [];
  let fence: string | null = null;
  // HTML comments render as nothing: a command inside one is invisible to the people reading it.
  const visible = body.replace(/\r\n?/g, "\n").replace(/<!--[\s\S]*?(-->|$)/g, "");
  for (const raw of visible.split("\n")) {
    const line = raw.trimStart();
    const fenceMatch = /^(`{3,}|~{3,})/.exec(line);
    if (fenceMatch) {
      const marker = fenceMatch[1] as string;
      if (fence === null) fence = marker;
      else if (marker.startsWith(fence)) fence = null;
      continue;
    }
    if (fence !== null || line.startsWith(">") || raw.startsWith("    ") || raw.startsWith("\t")) continue;
    plain.push(line);
    const match = /^\/([a-z-]+)(?=\s|$)(.*)$/.exec(line);
    const name = match?.[1] as CommandName | undefined;
    if (name !== undefined && COMMANDS.includes(name) && !commands.some((c) => c.name === name)) {
      commands.push({ name, argument: (match?.[2] ?? "").trim() });
    }
  }
  const text = plain.join("\n").replace(/`[^`]*`/g, " ");
  return commands.map((c) => ({ ...c, text }));
}

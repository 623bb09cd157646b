export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** `--name value` and `--flag` options after the positional arguments. */
export function parseOptions(
  args: string[],
  known: Record<string, "value" | "flag">,
): { positional: string[]; options: Record<string, string | true> } | { error: string } {
  const positional: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
    const kind = known[name];
    if (kind === undefined) return { error: `unknown option --${name}` };
    if (kind === "flag") options[name] = true;
    else {
      const value = inline ?? args[++i];
      if (value === undefined || value.startsWith("--")) return { error: `--${name} needs a value` };
      options[name] = value;
    }
  }
  return { positional, options };
}

/** Options only: `parseOptions` where a positional argument is an error too. */
export function parseOnlyOptions(
  args: string[],
  known: Record<string, "value" | "flag">,
): { options: Record<string, string | true> } | { error: string } {
  const parsed = parseOptions(args, known);
  if ("error" in parsed) return parsed;
  const [unexpected] = parsed.positional;
  return unexpected === undefined ? parsed : { error: `unexpected argument "${unexpected}"` };
}

import { gitRunnerIn } from "../adapters/git/run-git.js";
import { verifyLocalClone } from "../audit/verify-local-clone.js";

export interface CommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export const AUDIT_VERIFY_USAGE = `usage: remedy audit verify [--repo DIR] [--ref REF] [--app-login LOGIN]

Verifies the audit ledger (ledger.jsonl on REF, default remedy-audit, else origin/REF) of the local
clone DIR (default: the current directory): every hash, seq and prev, every commit an entry names,
and every Remedy-Audit commit trailer; that every commit of the ledger branch only appends to its
parent's file and is authored by the App (LOGIN, e.g. remedy[bot]; default: the author of the
ledger's first commit); that no earlier ledger tip this clone remembers was dropped (force-push);
and the tail against the anchors in commit trailers and PR-body ledger heads. Prints which checks
ran and which could not. Exit 0 when it holds, 1 when it does not, 2 on bad usage.`;

/** `remedy audit verify`; `args` are the words after `audit verify`. */
export async function auditVerifyCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const parsed = parseArgs(args);
  if ("help" in parsed) {
    io.out(AUDIT_VERIFY_USAGE);
    return 0;
  }
  if ("error" in parsed) {
    io.err(`remedy audit verify: ${parsed.error}\n\n${AUDIT_VERIFY_USAGE}`);
    return 2;
  }
  const verdict = await verifyLocalClone({ ...parsed, git: gitRunnerIn(parsed.repo) });
  switch (verdict.status) {
    case "ok":
      io.out(`ok: ${verdict.count} entries, head ${verdict.head}`);
      for (const check of verdict.checks) io.out(`  ${check}`);
      return 0;
    case "bad":
      io.out(`bad: ${verdict.message}`);
      return 1;
    case "unusable":
      io.err(`remedy audit verify: ${verdict.message}`);
      return 2;
  }
}

function parseArgs(
  args: readonly string[],
): { repo: string; ref: string; appLogin: string | null } | { error: string } | { help: true } {
  let repo = process.cwd();
  let ref = "remedy-audit";
  let appLogin: string | null = null;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? "";
    if (arg === "--help" || arg === "-h") return { help: true };
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    if (flag !== "--repo" && flag !== "--ref" && flag !== "--app-login")
      return { error: `unexpected argument ${JSON.stringify(arg)}` };
    const value = inline ?? args[i + 1];
    if (inline === undefined) i += 1;
    if (value === undefined || value === "" || (inline === undefined && value.startsWith("--"))) {
      return { error: `${flag} needs a value` };
    }
    if (flag === "--repo") repo = value;
    else if (flag === "--ref") ref = value;
    else appLogin = value;
  }
  return { repo, ref, appLogin };
}

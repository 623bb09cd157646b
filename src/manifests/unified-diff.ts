import { diffLines, splitLines } from "./diff-lines.js";
import type { LineOp } from "./diff-lines.js";

/**
 * A git-style unified diff of one file (`--- a/path`, `+++ b/path`, `@@` hunks with `context` lines
 * around each change). Empty when the texts are identical.
 */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return "";
  const ops = diffLines(splitLines(before), splitLines(after));
  const out = [`--- a/${path}`, `+++ b/${path}`];
  for (const [start, end] of hunkRanges(ops, context)) {
    let aLine = 1;
    let bLine = 1;
    for (const op of ops.slice(0, start)) {
      if (op.op !== "+") aLine++;
      if (op.op !== "-") bLine++;
    }
    const body = ops.slice(start, end);
    const aCount = body.filter((op) => op.op !== "+").length;
    const bCount = body.filter((op) => op.op !== "-").length;
    out.push(`@@ -${range(aLine, aCount)} +${range(bLine, bCount)} @@`);
    for (const op of body) {
      const terminated = op.line.endsWith("\n");
      out.push(op.op + (terminated ? op.line.slice(0, -1) : op.line));
      if (!terminated) out.push("\\ No newline at end of file");
    }
  }
  return `${out.join("\n")}\n`;
}

// git prints an empty range as the line before it, and omits a count of 1.
function range(start: number, count: number): string {
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? `${start}` : `${start},${count}`;
}

/** [start, end) slices of `ops` that form hunks: changes plus context, merged when contexts touch. */
function hunkRanges(ops: readonly LineOp[], context: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  ops.forEach((op, index) => {
    if (op.op === " ") return;
    const start = Math.max(0, index - context);
    const end = Math.min(ops.length, index + 1 + context);
    const last = ranges[ranges.length - 1];
    if (last !== undefined && start <= last[1]) last[1] = end;
    else ranges.push([start, end]);
  });
  return ranges;
}

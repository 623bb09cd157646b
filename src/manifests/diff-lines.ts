export type LineOp = { op: " " | "-" | "+"; line: string };

/** Splits text into lines that keep their terminator, so "no newline at end of file" is a difference. */
export function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines[lines.length - 1] === "" ? lines.slice(0, -1) : lines;
}

/**
 * A minimal line diff by longest common subsequence. Manifests are small, and the common prefix and
 * suffix are trimmed first, so the quadratic table only covers the changed middle.
 */
export function diffLines(a: readonly string[], b: readonly string[]): LineOp[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);

  const n = midA.length;
  const m = midB.length;
  // lcs[i][j] = length of the LCS of midA[i..] and midB[j..], flattened.
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] =
        midA[i] === midB[j]
          ? (lcs[(i + 1) * (m + 1) + j + 1] as number) + 1
          : Math.max(lcs[(i + 1) * (m + 1) + j] as number, lcs[i * (m + 1) + j + 1] as number);
    }
  }

  const ops: LineOp[] = a.slice(0, head).map((line) => ({ op: " ", line }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && midA[i] === midB[j]) {
      ops.push({ op: " ", line: midA[i++] as string });
      j++;
    } else if (
      j < m &&
      (i === n || (lcs[i * (m + 1) + j + 1] as number) >= (lcs[(i + 1) * (m + 1) + j] as number))
    ) {
      ops.push({ op: "+", line: midB[j++] as string });
    } else {
      ops.push({ op: "-", line: midA[i++] as string });
    }
  }
  for (const line of a.slice(a.length - tail)) ops.push({ op: " ", line });
  return reorderRuns(ops);
}

// Within one run of changes, show removals before additions, as git does.
function reorderRuns(ops: LineOp[]): LineOp[] {
  const out: LineOp[] = [];
  let removed: LineOp[] = [];
  let added: LineOp[] = [];
  const flush = (): void => {
    out.push(...removed, ...added);
    removed = [];
    added = [];
  };
  for (const op of ops) {
    if (op.op === "-") removed.push(op);
    else if (op.op === "+") added.push(op);
    else {
      flush();
      out.push(op);
    }
  }
  flush();
  return out;
}

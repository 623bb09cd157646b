/** One problem in one file: where it is, what was expected, what was found. */
export interface FileProblem {
  file: string;
  /** Dotted path inside the file, e.g. `environments.prod.actions.scale.max_step`; empty for the whole file. */
  path: string;
  line?: number;
  message: string;
}

/**
 * A configuration, runbook, policy or scenario file that cannot be used. Remedy fails closed on it:
 * nothing that depends on the file is proposed, and the message tells the user how to fix it.
 */
export class InvalidFileError extends Error {
  readonly problems: FileProblem[];

  constructor(problems: FileProblem[], options?: { cause?: unknown }) {
    super(problems.map(formatProblem).join("\n"), options);
    this.name = "InvalidFileError";
    this.problems = problems;
  }
}

export function formatProblem(problem: FileProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  return problem.path === ""
    ? `${where}: ${problem.message}`
    : `${where}: ${problem.path} ${problem.message}`;
}

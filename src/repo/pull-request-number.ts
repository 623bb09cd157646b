/**
 * The PR a commit came from, as GitHub writes it into the subject: a squash merge ends with "(#12)",
 * a merge commit starts "Merge pull request #12". A local clone knows nothing more about the PR.
 */
export function pullRequestNumber(subject: string): number | null {
  const match = /^Merge pull request #(\d+)\b/.exec(subject) ?? /\(#(\d+)\)\s*$/.exec(subject);
  return match === null ? null : Number(match[1]);
}

/** The store's and the check run's id of the verification of one merged PR. */
export function verificationId(repo: string, pr: number): string {
  return `${repo}#${pr}`;
}

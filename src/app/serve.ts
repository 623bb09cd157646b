/** Placeholder until the GitHub App wiring lands (issue #4): `remedy serve` runs Probot. */
export async function serve(): Promise<number> {
  throw new Error("remedy serve: the GitHub App is not wired yet");
}

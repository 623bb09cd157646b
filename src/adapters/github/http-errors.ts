/** How the GitHub adapters read a failed request: Octokit's RequestError or GraphQL error answer. */

export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// 5xx or no HTTP answer at all: the write may or may not have happened.
export function isAmbiguous(error: unknown): boolean {
  const status = statusOf(error);
  // A GraphQL error answer (HTTP 200 with `errors`) is definite: the mutation did not run.
  if (status === undefined) return !(typeof error === "object" && error !== null && "errors" in error);
  return status >= 500;
}

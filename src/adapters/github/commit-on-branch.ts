import { CommitAnswer, parseAnswer } from "./graphql-answers.js";

/**
 * GraphQL `createCommitOnBranch`: one commit, signed by GitHub, compare-and-swap on the branch
 * head through `expectedHeadOid`. The forge commits the manifest edit with it and the ledger
 * appends with it, so the request, the message split and the error reading live here once.
 */
export interface GraphqlClient {
  graphql(query: string, variables: Record<string, unknown>): Promise<unknown>;
}

export interface CommitOnBranchInput {
  /** "owner/name" */
  repo: string;
  branch: string;
  expectedHeadOid: string;
  path: string;
  content: string;
  message: string;
}

const COMMIT_ON_BRANCH = `mutation RemedyCommit($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid } }
}`;

/** The new commit's sha, or "stale-head" when the branch is no longer at `expectedHeadOid`. */
export async function commitOnBranch(
  client: GraphqlClient,
  input: CommitOnBranchInput,
): Promise<{ ok: true; sha: string } | { ok: false; reason: "stale-head" }> {
  const { headline, body } = splitMessage(input.message);
  try {
    const answer = await client.graphql(COMMIT_ON_BRANCH, {
      input: {
        branch: { repositoryNameWithOwner: input.repo, branchName: input.branch },
        expectedHeadOid: input.expectedHeadOid,
        message: body === "" ? { headline } : { headline, body },
        fileChanges: {
          additions: [{ path: input.path, contents: Buffer.from(input.content, "utf8").toString("base64") }],
        },
      },
    });
    const data = parseAnswer("RemedyCommit", CommitAnswer, answer);
    const sha = data.createCommitOnBranch?.commit?.oid;
    if (sha === undefined) throw new Error(`createCommitOnBranch on ${input.branch} returned no commit`);
    return { ok: true, sha };
  } catch (error) {
    if (isStaleHead(error)) return { ok: false, reason: "stale-head" };
    throw error;
  }
}

/** createCommitOnBranch takes the subject and the rest separately; git joins them with a blank line. */
export function splitMessage(message: string): { headline: string; body: string } {
  const match = /\r?\n\s*\r?\n/.exec(message);
  if (match === null) return { headline: message.trim().replace(/\s*\n\s*/g, " "), body: "" };
  return {
    headline: message
      .slice(0, match.index)
      .trim()
      .replace(/\s*\n\s*/g, " "),
    body: message.slice(match.index + match[0].length).trimEnd(),
  };
}

// createCommitOnBranch answers a moved head with a GraphQL error (HTTP 200), typed STALE_DATA or
// worded "Expected branch to point to …" / "… is at …".
function isStaleHead(error: unknown): boolean {
  const errors = (error as { errors?: Array<{ type?: string; message?: string }> } | null)?.errors;
  if (!Array.isArray(errors)) return false;
  return errors.some(
    (e) =>
      e.type === "STALE_DATA" ||
      /expected .*(head|branch)|is at [0-9a-f]{7,}|expectedHeadOid/i.test(e.message ?? ""),
  );
}

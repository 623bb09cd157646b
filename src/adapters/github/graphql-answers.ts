import { z } from "zod";

/**
 * The shapes of the GraphQL answers the GitHub forge reads, one zod schema per operation, parsed
 * where the answer arrives (`parseAnswer`). A malformed or surprising answer (a proxy's error page
 * turned JSON, a schema change on GitHub's side, a fake that drifted) then fails there, naming the
 * operation and the path, instead of as a TypeError somewhere inside a flow (or a number taken for
 * a sha, an unknown state read as "closed"). `null` is allowed where GitHub answers null (a missing
 * ref, a binary blob, a deleted user); a missing field is not, except for the fields a directive or
 * an inline fragment may leave out.
 */

/** A GraphQL answer that does not have the shape its operation asks for. */
export class GraphqlAnswerError extends Error {
  readonly operation: string;
  readonly path: string;

  constructor(operation: string, path: string, problem: string, others: number) {
    const more = others === 0 ? "" : ` (and ${others} more problem${others === 1 ? "" : "s"})`;
    // A REST read checked the same way is named by its method and path ("GET /pulls?state=all").
    const what = /^(?:GET|POST|PATCH|PUT|DELETE) /.test(operation) ? operation : `GraphQL ${operation}`;
    super(
      `GitHub's answer to ${what} is malformed at ${path}: ${problem}${more}; ` +
        "Remedy did not act on it. If it repeats, GitHub's GraphQL schema changed or something between " +
        "Remedy and GitHub (a proxy, GHE_HOST pointing elsewhere) rewrites answers.",
    );
    this.name = "GraphqlAnswerError";
    this.operation = operation;
    this.path = path;
  }
}

/** `data` checked against the operation's schema, or a GraphqlAnswerError naming where it is not. */
export function parseAnswer<T>(operation: string, schema: z.ZodType<T>, data: unknown): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const [first, ...others] = result.error.issues;
  const path = first === undefined ? "data" : pathOf(first.path);
  throw new GraphqlAnswerError(operation, path, first?.message ?? "unexpected shape", others.length);
}

function pathOf(path: readonly PropertyKey[]): string {
  let text = "data";
  for (const key of path) text += typeof key === "number" ? `[${key}]` : `.${String(key)}`;
  return text;
}

/** A blob's text as `... on Blob { oid text isTruncated }` answers it; other objects answer `{}`. */
const blob = z.object({
  oid: z.string().optional(),
  text: z.string().nullable().optional(),
  isTruncated: z.boolean().optional(),
});

/** `RemedyCommit` (createCommitOnBranch). */
export const CommitAnswer = z.object({
  createCommitOnBranch: z.object({ commit: z.object({ oid: z.string() }).nullable() }).nullable(),
});

/** `RemedyBranchCommit` (createRef, then createCommitOnBranch, in one document). */
export const BranchWithCommitAnswer = z.object({
  createRef: z.object({ ref: z.object({ name: z.string() }).nullable() }).nullable(),
  createCommitOnBranch: z.object({ commit: z.object({ oid: z.string() }).nullable() }).nullable(),
});

/** `RemedyLedger`: the ledger branch head and the ledger file at it. */
export const LedgerAnswer = z.object({
  repository: z
    .object({
      ref: z
        .object({
          target: z
            .object({
              oid: z.string(),
              file: z.object({ object: blob.nullable() }).nullable().optional(),
            })
            .nullable(),
        })
        .nullable(),
    })
    .nullable(),
});

/** `RemedyOpenPullRequest` (createPullRequest); null when GitHub refused it (its `errors` say why). */
export const OpenPullRequestAnswer = z.object({
  createPullRequest: z
    .object({
      pullRequest: z
        .object({
          id: z.string(),
          number: z.number().int(),
          url: z.string(),
          title: z.string(),
          body: z.string(),
          headRefName: z.string(),
          baseRefName: z.string(),
          state: z.enum(["OPEN", "CLOSED", "MERGED"]),
          merged: z.boolean(),
          mergedAt: z.string().nullable(),
          createdAt: z.string(),
          isDraft: z.boolean(),
          author: z.object({ __typename: z.string(), login: z.string() }).nullable(),
          labels: z.object({ nodes: z.array(z.object({ name: z.string() }).nullable()) }).nullable(),
          mergeCommit: z.object({ oid: z.string() }).nullable(),
        })
        .nullable(),
    })
    .nullable(),
});
export type OpenedPullRequest = NonNullable<
  NonNullable<z.infer<typeof OpenPullRequestAnswer>["createPullRequest"]>["pullRequest"]
>;

const nodeId = z.object({ id: z.string() }).nullable();

/**
 * `RemedyFinishContext` for `users` reviewers (aliases u0…) and `teams` teams (t0…). An answer with
 * some fields in error still parses: those fields are null.
 */
export function finishContextAnswer(users: number, teams: number): z.ZodType<FinishContext> {
  const userFields = Object.fromEntries(Array.from({ length: users }, (_, i) => [`u${i}`, nodeId]));
  const teamFields = Object.fromEntries(Array.from({ length: teams }, (_, i) => [`t${i}`, nodeId]));
  return z.object({
    repository: z
      .object({
        id: z.string(),
        labels: z.object({ nodes: z.array(z.object({ id: z.string(), name: z.string() })) }).nullable(),
        issue: z
          .object({
            id: z.string(),
            comments: z.object({
              nodes: z.array(
                z.object({
                  id: z.string(),
                  body: z.string(),
                  author: z.object({ login: z.string() }).nullable(),
                }),
              ),
            }),
          })
          .nullable()
          .optional(),
      })
      .nullable(),
    organization: z.object(teamFields).nullable().optional(),
    ...userFields,
  });
}

export interface FinishContext {
  repository: {
    id: string;
    labels: { nodes: Array<{ id: string; name: string }> } | null;
    issue?:
      | {
          id: string;
          comments: { nodes: Array<{ id: string; body: string; author: { login: string } | null }> };
        }
      | null
      | undefined;
  } | null;
  organization?: Record<string, { id: string } | null> | null | undefined;
  [user: `u${number}`]: { id: string } | null | undefined;
}

/**
 * `GET /repos/{owner}/{repo}/pulls`: the fields of each PR that Remedy maps (from-rest.ts), checked
 * like a GraphQL answer: a number sent as a string or a state GitHub does not have fails here.
 */
export const RestPullsAnswer = z.array(
  z.object({
    number: z.number().int(),
    node_id: z.string(),
    html_url: z.string(),
    title: z.string(),
    body: z.string().nullable().optional(),
    head: z.object({ ref: z.string() }),
    base: z.object({ ref: z.string() }),
    state: z.enum(["open", "closed"]),
    merged_at: z.string().nullable().optional(),
    merge_commit_sha: z.string().nullable().optional(),
    created_at: z.string(),
    labels: z.array(z.object({ name: z.string().optional() })).optional(),
    draft: z.boolean().optional(),
    user: z.object({ login: z.string() }).nullable(),
  }),
);

/** `GET /repos/{owner}/{repo}/git/blobs/{sha}`: the content, base64 unless `encoding` says otherwise. */
export const RestBlobAnswer = z.object({ content: z.string(), encoding: z.string() });

/**
 * `GET /repos/{owner}/{repo}/commits?path=`: a file's history, newest first. `author` is the GitHub
 * user the commit is linked to (null, or `{}`, when none is); `commit.author.name` is git's.
 */
export const RestCommitsAnswer = z.array(
  z.object({
    sha: z.string(),
    commit: z.object({
      message: z.string(),
      author: z.object({ name: z.string().optional() }).nullable(),
      committer: z.object({ date: z.string() }),
    }),
    author: z.object({ login: z.string().optional() }).nullable().optional(),
  }),
);

/** `GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls`: the PRs that brought the commit in. */
export const RestCommitPullsAnswer = z.array(
  z.object({ number: z.number().int(), user: z.object({ login: z.string() }).nullable() }),
);

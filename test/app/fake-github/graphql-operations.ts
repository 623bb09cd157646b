import { Kind, parse, type OperationDefinitionNode } from "graphql";
import { url } from "./rest-shapes.js";
import {
  BOT_LOGIN,
  type CheckRunRecord,
  type CommentRecord,
  type FakeGitHubState,
  type Reply,
} from "./state.js";

type Variables = Record<string, unknown>;

interface GraphqlRequest {
  s: FakeGitHubState;
  variables: Variables;
  operation: OperationDefinitionNode;
}

/**
 * POST /graphql: the document is parsed with graphql's parser and answered by the handler of its
 * operation's name, as GitHub would answer that operation. Null for a document that does not parse
 * or an operation the fake does not know.
 */
export function answerGraphql(s: FakeGitHubState, body: Record<string, unknown>): Reply | null {
  let operation: OperationDefinitionNode | undefined;
  try {
    operation = parse(String(body.query)).definitions.find(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
    );
  } catch {
    return null;
  }
  const handler = operation?.name === undefined ? undefined : OPERATIONS[operation.name.value];
  if (operation === undefined || handler === undefined) return null;
  return handler({ s, variables: (body.variables ?? {}) as Variables, operation });
}

/** The name of the field a top-level selection aliased `alias` calls (a mutation batch's part). */
function fieldNamed(operation: OperationDefinitionNode, alias: string): string | undefined {
  for (const selection of operation.selectionSet.selections)
    if (selection.kind === Kind.FIELD && (selection.alias?.value ?? selection.name.value) === alias)
      return selection.name.value;
  return undefined;
}

/** `RemedyCommit`: `createCommitOnBranch` with compare-and-swap on the branch head, as the forge and the ledger commit. */
function remedyCommit({ s, variables }: GraphqlRequest): Reply {
  const input = variables.input as {
    branch: { branchName: string };
    expectedHeadOid: string;
    message: { headline: string; body?: string };
    fileChanges: { additions: Array<{ path: string; contents: string }> };
  };
  const head = s.refs.get(input.branch.branchName);
  if (head !== input.expectedHeadOid)
    return [
      200,
      {
        data: { createCommitOnBranch: null },
        errors: [
          {
            type: "STALE_DATA",
            message: `Expected branch to point to "${input.expectedHeadOid}" but it did not`,
          },
        ],
      },
    ];
  const changes = Object.fromEntries(
    input.fileChanges.additions.map((a) => [a.path, Buffer.from(a.contents, "base64").toString("utf8")]),
  );
  const sha = s.commit(
    head,
    changes,
    [input.message.headline, input.message.body].filter(Boolean).join("\n\n"),
    BOT_LOGIN,
  );
  s.refs.set(input.branch.branchName, sha);
  for (const pr of s.pulls()) if (pr.pull?.head === input.branch.branchName) pr.pull.headSha = sha;
  return [200, { data: { createCommitOnBranch: { commit: { oid: sha } } } }];
}

/**
 * `RemedyBranchCommit`: `createRef`, then `createCommitOnBranch`, each on its own as GitHub runs a
 * document's mutations: a ref that exists is an error on `createRef` and the commit still runs.
 */
function remedyBranchCommit(request: GraphqlRequest): Reply {
  const { s, variables } = request;
  const ref = variables.ref as { repositoryId: string; name: string; oid: string };
  const errors: Array<Record<string, unknown>> = [];
  const branch = ref.name.replace(/^refs\/heads\//, "");
  let created: { ref: { name: string } } | null = null;
  if (s.refs.has(branch))
    errors.push({
      type: "UNPROCESSABLE",
      path: ["createRef"],
      message: `A ref named "${ref.name}" already exists in the repository.`,
    });
  else {
    s.refs.set(branch, ref.oid);
    created = { ref: { name: ref.name } };
  }
  const [, commitAnswer] = remedyCommit({ ...request, variables: { input: variables.commit } });
  const answer = commitAnswer as {
    data: { createCommitOnBranch: unknown };
    errors?: Array<Record<string, unknown>>;
  };
  for (const error of answer.errors ?? []) errors.push({ ...error, path: ["createCommitOnBranch"] });
  const data = { createRef: created, createCommitOnBranch: answer.data.createCommitOnBranch };
  return [200, errors.length === 0 ? { data } : { data, errors }];
}

/**
 * `RemedyOpenPullRequest`: createPullRequest, as REST's POST /pulls (FakeGitHubState.openPull); a
 * refusal is GitHub's GraphQL error answer (HTTP 200, `createPullRequest: null`, `errors`).
 */
function remedyOpenPullRequest({ s, variables }: GraphqlRequest): Reply {
  const input = variables.input as {
    repositoryId: string;
    headRefName: string;
    baseRefName: string;
    title: string;
    body?: string;
    draft?: boolean;
  };
  const refuse = (type: string, message: string): Reply => [
    200,
    { data: { createPullRequest: null }, errors: [{ type, path: ["createPullRequest"], message }] },
  ];
  if (input.repositoryId !== "R_1")
    return refuse("NOT_FOUND", `Could not resolve to a node with the global id of '${input.repositoryId}'`);
  for (const [field, max] of [
    ["title", 256],
    ["body", 65_536],
  ] as const)
    if ([...(input[field] ?? "")].length > max)
      return refuse("UNPROCESSABLE", `${field} is too long (maximum is ${max} characters)`);
  const opened = s.openPull({
    head: input.headRefName,
    base: input.baseRefName,
    title: input.title,
    body: input.body ?? "",
    draft: input.draft === true,
  });
  if (!("pr" in opened))
    return refuse(
      opened.refused === "invalid head" ? "NOT_FOUND" : "UNPROCESSABLE",
      opened.refused === "invalid head"
        ? `Head sha can't be blank, Head ref must be a branch`
        : opened.message,
    );
  const pr = opened.pr;
  return [
    200,
    {
      data: {
        createPullRequest: {
          pullRequest: {
            id: `PR_${pr.number}`,
            number: pr.number,
            url: url(pr.number, true),
            title: pr.title,
            body: pr.body,
            headRefName: pr.pull?.head,
            baseRefName: pr.pull?.base,
            state: "OPEN",
            merged: false,
            mergedAt: null,
            createdAt: pr.createdAt,
            isDraft: pr.pull?.draft ?? false,
            // GraphQL names an App by its slug, without REST's "[bot]".
            author: { __typename: "Bot", login: pr.user.replace(/\[bot\]$/, "") },
            labels: { nodes: pr.labels.map((name) => ({ name })) },
            mergeCommit: null,
          },
        },
      },
    },
  ];
}

/** `RemedyFinishContext`: The node ids the finish batch needs: labels, the incident issue and its comments, users and teams. */
function remedyFinishContext({ s, variables }: GraphqlRequest): Reply {
  const labels = new Set(["incident", ...[...s.issues.values()].flatMap((i) => i.labels)]);
  const issue = variables.withIssue === true ? s.issues.get(Number(variables.issue)) : undefined;
  const data: Record<string, unknown> = {
    repository: {
      id: "R_1",
      labels: { nodes: [...labels].map((name) => ({ id: `LA_${name}`, name })) },
      ...(variables.withIssue === true
        ? {
            issue:
              issue === undefined
                ? null
                : {
                    id: `I_${issue.number}`,
                    comments: {
                      nodes: s.commentsOn(issue.number).map((c) => ({
                        id: `IC_${c.id}`,
                        body: c.body,
                        // GraphQL names an App by its slug, without REST's "[bot]".
                        author: { login: c.user.replace(/\[bot\]$/, "") },
                      })),
                    },
                  },
          }
        : {}),
    },
  };
  if (variables.withTeams === true)
    data.organization = Object.fromEntries(
      Object.entries(variables)
        .filter(([k]) => /^t\d+$/.test(k))
        .map(([k, slug]) => [k, { id: `T_${String(slug)}` }]),
    );
  for (const [k, login] of Object.entries(variables))
    if (/^u\d+$/.test(k)) data[k] = { id: `U_${String(login)}` };
  return [200, { data }];
}

/** `RemedyFinish`: The finish batch: each aliased mutation runs on its own and fails on its own, as on GitHub. */
function remedyFinish({ s, variables, operation }: GraphqlRequest): Reply {
  const data: Record<string, unknown> = {};
  const errors: unknown[] = [];
  const v = variables as Record<string, Record<string, unknown>>;
  const pull = (id: unknown) => s.issues.get(Number(String(id).replace(/^PR_/, "")));
  if (v.labels !== undefined) {
    const pr = pull(v.labels.labelableId);
    for (const id of v.labels.labelIds as string[]) {
      const name = id.replace(/^LA_/, "");
      if (pr !== undefined && !pr.labels.includes(name)) pr.labels.push(name);
    }
    data.labels = { clientMutationId: null };
  }
  if (v.reviews !== undefined) {
    const users = (v.reviews.userIds as string[]).map((id) => id.replace(/^U_/, ""));
    const strangers = users.filter((login) => !s.roles.has(login));
    if (strangers.length > 0) {
      data.reviews = null;
      errors.push({
        path: ["reviews"],
        type: "UNPROCESSABLE",
        message: `Could not request reviews: ${strangers.join(", ")} is not a collaborator`,
      });
    } else {
      s.reviewRequests.push({
        pr: pull(v.reviews.pullRequestId)?.number ?? 0,
        reviewers: users,
        teams: (v.reviews.teamIds as string[]).map((id) => id.replace(/^T_/, "")),
      });
      data.reviews = { clientMutationId: null };
    }
  }
  if (v.check !== undefined) {
    const c = v.check;
    const run: CheckRunRecord = {
      id: s.nextId(),
      name: String(c.name),
      head_sha: String(c.headSha),
      status: String(c.status).toLowerCase(),
      conclusion: c.conclusion === undefined ? null : String(c.conclusion).toLowerCase(),
      output: (c.output as CheckRunRecord["output"]) ?? {},
      external_id: (c.externalId as string) ?? null,
    };
    s.checkRuns.push(run);
    data.check = { checkRun: { databaseId: run.id } };
  }
  if (v.autoMerge !== undefined) {
    const pr = pull(v.autoMerge.pullRequestId);
    if (pr !== undefined) s.autoMerge.add(pr.number);
    data.autoMerge = { clientMutationId: null };
  }
  if (v.link !== undefined && fieldNamed(operation, "link") === "addComment") {
    const comment: CommentRecord = {
      id: s.nextId(),
      issue: Number(String(v.link.subjectId).replace(/^I_/, "")),
      body: String(v.link.body),
      user: BOT_LOGIN,
    };
    s.comments.push(comment);
    data.link = { clientMutationId: null };
  } else if (v.link !== undefined) {
    const comment = s.comments.find((c) => `IC_${c.id}` === v.link?.id);
    if (comment !== undefined) comment.body = String(v.link.body);
    data.link = { clientMutationId: null };
  }
  return [200, errors.length > 0 ? { data, errors } : { data }];
}

/** `RemedyLedger`: The ledger branch head and the ledger file at it, in one query. */
function remedyLedger({ s, variables }: GraphqlRequest): Reply {
  const head = s.refs.get(String(variables.ref).replace(/^refs\/heads\//, ""));
  if (head === undefined) return [200, { data: { repository: { ref: null } } }];
  const blob = s.tree(head).get(String(variables.path));
  const object = blob === undefined ? null : { oid: blob, text: s.blobs.get(blob), isTruncated: false };
  return [
    200,
    {
      data: { repository: { ref: { target: { oid: head, file: object === null ? null : { object } } } } },
    },
  ];
}

/**
 * `RemedyAutoMerge` and `RemedyDisableAutoMerge`: acknowledged, and a known PR's auto-merge state
 * (set by its node id) kept in `s.autoMerge`.
 */
function autoMerge(on: boolean): (request: GraphqlRequest) => Reply {
  return ({ s, variables }) => {
    const pr = s.pulls().find((p) => `PR_${p.number}` === variables.id);
    if (pr !== undefined && on) s.autoMerge.add(pr.number);
    if (pr !== undefined && !on) s.autoMerge.delete(pr.number);
    const field = on ? "enablePullRequestAutoMerge" : "disablePullRequestAutoMerge";
    return [200, { data: { [field]: { clientMutationId: null } } }];
  };
}

/** `RemedyConvertToDraft` and `RemedyMarkReady`: a PR's draft state, set by its node id. */
function setDraft(draft: boolean): (request: GraphqlRequest) => Reply {
  return ({ s, variables }) => {
    const pr = s.pulls().find((p) => `PR_${p.number}` === variables.id);
    if (pr?.pull === undefined)
      return [200, { data: null, errors: [{ type: "NOT_FOUND", message: "Could not resolve to a node" }] }];
    pr.pull.draft = draft;
    const field = draft ? "convertPullRequestToDraft" : "markPullRequestReadyForReview";
    return [200, { data: { [field]: { clientMutationId: null } } }];
  };
}

const OPERATIONS: Record<string, (request: GraphqlRequest) => Reply> = {
  RemedyCommit: remedyCommit,
  RemedyBranchCommit: remedyBranchCommit,
  RemedyOpenPullRequest: remedyOpenPullRequest,
  RemedyFinishContext: remedyFinishContext,
  RemedyFinish: remedyFinish,
  RemedyLedger: remedyLedger,
  RemedyAutoMerge: autoMerge(true),
  RemedyDisableAutoMerge: autoMerge(false),
  RemedyConvertToDraft: setDraft(true),
  RemedyMarkReady: setDraft(false),
};

import type { ProbotOctokit } from "probot";
import type { FileVersion } from "../../repo/repo-reader.js";
import { ROLES, type Role } from "../../signals/role.js";
import type {
  CheckRunInput,
  CommitResult,
  Comparison,
  FinishPullRequestInput,
  Forge,
  Issue,
  Protection,
  PullRequest,
} from "../forge.js";
import { issueFromRest, pullRequestFromRest, type RestPull } from "./from-rest.js";
import { GitHubCache, type CommitTree } from "./github-cache.js";
import { commitOnBranch } from "./commit-on-branch.js";
import { isAmbiguous, messageOf, statusOf } from "./http-errors.js";
import {
  blobsQuery,
  ENABLE_AUTO_MERGE,
  FILE_HISTORY,
  finishContextQuery,
  finishMutation,
  PAGE,
  REMEDY_PULLS,
  type FinishContext,
  type GraphPull,
  type HistoryData,
  type MutationPart,
  type PullsData,
} from "./graphql-documents.js";
import { GitHubLedgerBackend } from "./github-ledger-backend.js";

type Octokit = InstanceType<typeof ProbotOctokit>;

/** Probot's pino logger fits this; so does the flows' Logger. */
export interface GitHubForgeLog {
  info(meta: Record<string, unknown>, message: string): void;
  warn(meta: Record<string, unknown>, message: string): void;
}

export interface GitHubForgeOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  /** The App's login as REST reports it (`remedy[bot]`): upsertComment only edits its own comments. */
  botLogin: string;
  log?: GitHubForgeLog;
  /** Shared by every forge of one process; a private one when not given. */
  cache?: GitHubCache;
}

// GitHub's hard cap on check-run output fields (and on issue, PR and comment bodies).
const MAX_OUTPUT = 65_535;
// Reads at a commit go through its file listing (one request) and fetch the texts of a folder's
// files together (one GraphQL request for up to this many); bigger files are fetched alone.
const BLOB_BATCH = 100;
const BLOB_BATCH_MAX_BYTES = 256 * 1024;
const BATCHED_FILE = /\.(ya?ml|json)$/i;
const COMMIT_SHA = /^[0-9a-f]{40}$/i;

/** The mutations finishPullRequest sends; each is also the alias GitHub names in its errors. */
type FinishPart = "labels" | "reviews" | "check" | "autoMerge" | "link";
const FINISH_PARTS: readonly FinishPart[] = ["labels", "reviews", "check", "autoMerge", "link"];

/** The REST pull-request fields Remedy maps, plus the node id GraphQL mutations need. */
interface RestPullWithNode extends RestPull {
  node_id: string;
}

const silent: GitHubForgeLog = { info() {}, warn() {} };

/**
 * The forge port on GitHub through the installation's ProbotOctokit. Writes that fail ambiguously
 * (5xx or a dropped connection, after plugin-retry gave up) are reconciled by reading what landed,
 * never by posting again blind; compare-and-swap comes from `createCommitOnBranch`'s
 * `expectedHeadOid`. The default branch and permission lookups are cached per instance, which is
 * per webhook delivery in the App.
 */
export class GitHubForge implements Forge {
  readonly repo: string;
  readonly ledger: GitHubLedgerBackend;
  readonly #octokit: Octokit;
  readonly #owner: string;
  readonly #name: string;
  readonly #botLogin: string;
  readonly #log: GitHubForgeLog;
  readonly #cache: GitHubCache;
  readonly #treeLoads = new Map<string, Promise<CommitTree>>();
  #requests = 0;
  #defaultBranch: Promise<string> | undefined;
  readonly #roles = new Map<string, Promise<Role>>();
  // GraphQL mutations on a PR take its node id; remembering the ids seen saves a lookup.
  readonly #nodeIds = new Map<number, string>();

  constructor(options: GitHubForgeOptions) {
    this.#octokit = options.octokit;
    this.#owner = options.owner;
    this.#name = options.repo;
    this.#botLogin = options.botLogin;
    this.#log = options.log ?? silent;
    this.#cache = options.cache ?? new GitHubCache();
    this.repo = `${options.owner}/${options.repo}`;
    this.ledger = new GitHubLedgerBackend(options.octokit, {
      owner: options.owner,
      repo: options.repo,
      cache: this.#cache,
    });
    // A hook sees every HTTP request this octokit makes, GraphQL and the ledger's included.
    this.#octokit.hook.before("request", () => {
      this.#requests++;
    });
  }

  /** HTTP requests made through this forge's octokit so far (the API-economy benchmark reads it). */
  get requestCount(): number {
    return this.#requests;
  }

  get #r(): { owner: string; repo: string } {
    return { owner: this.#owner, repo: this.#name };
  }

  // --- reads -------------------------------------------------------------------------------------

  defaultBranch(): Promise<string> {
    const known = this.#cache.defaultBranch(this.repo);
    if (known !== undefined) return Promise.resolve(known);
    this.#defaultBranch ??= this.#octokit
      .request("GET /repos/{owner}/{repo}", this.#r)
      .then((response) => {
        this.#cache.setDefaultBranch(this.repo, response.data.default_branch);
        return response.data.default_branch;
      })
      .catch((error: unknown) => {
        this.#defaultBranch = undefined;
        throw error;
      });
    return this.#defaultBranch;
  }

  async branchHead(branch: string): Promise<string | null> {
    const ref = await orNull(
      this.#octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", {
        ...this.#r,
        ref: `heads/${branch}`,
      }),
    );
    return ref?.data.object.sha ?? null;
  }

  /**
   * At a commit sha, reads come from the commit's file listing and a process-wide cache of blob
   * texts (both immutable): a file that is not in the listing is absent without asking, and the
   * first read in a folder fetches that folder's files in one request. Branch names go to the
   * contents API, which always answers for the branch's current head.
   */
  async readFile(path: string, ref?: string): Promise<string | null> {
    const file = normalize(path);
    if (ref !== undefined && COMMIT_SHA.test(ref)) {
      const tree = await this.#commitTree(ref);
      if (!tree.truncated) {
        const entry = tree.files.get(file);
        return entry === undefined ? null : this.#text(tree, file, entry.oid);
      }
    }
    return this.#contentsFile(file, ref);
  }

  async readFileIn(repo: string, path: string): Promise<string | null> {
    const [owner, name, ...rest] = repo.split("/");
    if (owner === undefined || name === undefined || rest.length > 0) return null;
    // A repository the installation cannot see answers 404, like a missing file.
    const response = await orNull(
      this.#octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        owner,
        repo: name,
        path: normalize(path),
      }),
    );
    const data = response?.data;
    if (data === undefined || Array.isArray(data) || data.type !== "file" || !("content" in data))
      return null;
    if (data.encoding === "none" || (data.content === "" && data.size > 0)) return null;
    return decode(data.content);
  }

  async listFiles(dir: string, ref?: string): Promise<string[]> {
    const folder = normalize(dir).replace(/\/$/, "");
    if (ref !== undefined && COMMIT_SHA.test(ref)) {
      const tree = await this.#commitTree(ref);
      if (!tree.truncated) return [...tree.files.keys()].filter((path) => parentOf(path) === folder).sort();
    }
    const response = await orNull(
      this.#octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        ...this.#r,
        path: folder,
        ...(ref === undefined ? {} : { ref }),
      }),
    );
    const data = response?.data;
    if (data === undefined || !Array.isArray(data)) return [];
    return data
      .filter((entry) => entry.type === "file")
      .map((entry) => entry.path)
      .sort();
  }

  /**
   * One GraphQL request per history. At a commit sha the history can never change, so it is cached
   * (the planner, `/dry-run` and `/rollback` read the same file's history at the same base).
   */
  async fileHistory(path: string, limit: number, ref?: string): Promise<FileVersion[]> {
    const first = Math.max(1, Math.min(PAGE, Math.floor(limit)));
    const file = normalize(path);
    const immutable = ref !== undefined && COMMIT_SHA.test(ref);
    if (immutable) {
      const cached = this.#cache.history(this.repo, ref, file, first);
      if (cached !== undefined) return cached;
    }
    const data = await this.#octokit.graphql<HistoryData>(FILE_HISTORY, {
      ...this.#r,
      ref: ref ?? (await this.defaultBranch()),
      path: file,
      first,
    });
    const versions: FileVersion[] = [];
    for (const node of data.repository?.object?.history?.nodes ?? []) {
      const blob = node.file?.object ?? null;
      let content: string | null = blob?.text ?? null;
      if (blob?.isTruncated === true && blob.oid !== undefined) content = await this.#blobText(blob.oid);
      const author = node.author?.user?.login ?? node.author?.name ?? null;
      const pull = node.associatedPullRequests?.nodes[0];
      versions.push({
        sha: node.oid,
        at: node.committedDate,
        message: node.message,
        content,
        ...(author === null ? {} : { author }),
        ...(pull === undefined
          ? {}
          : {
              pullRequest: {
                number: pull.number,
                ...(pull.author?.login === undefined ? {} : { author: pull.author.login }),
              },
            }),
      });
    }
    if (immutable) this.#cache.setHistory(this.repo, ref, file, first, versions);
    return versions;
  }

  // --- branch and commit -------------------------------------------------------------------------

  async createBranch(branch: string, fromSha: string): Promise<"created" | "exists"> {
    try {
      await this.#octokit.request("POST /repos/{owner}/{repo}/git/refs", {
        ...this.#r,
        ref: `refs/heads/${branch}`,
        sha: fromSha,
      });
      return "created";
    } catch (error) {
      if (statusOf(error) === 422 && /reference already exists/i.test(messageOf(error))) return "exists";
      if (!isAmbiguous(error)) throw error;
      // The POST may have landed. A branch at our start point is ours (or identical to ours: the
      // commit step's compare-and-swap sorts out a twin); one that moved on belongs to an earlier run.
      const head = await this.branchHead(branch);
      this.#log.warn(
        { branch, status: statusOf(error) ?? null, found: head },
        "ambiguous branch create; reconciled by reading",
      );
      if (head === null) throw error;
      return head === fromSha ? "created" : "exists";
    }
  }

  async commitFile(input: {
    branch: string;
    expectedHeadSha: string;
    path: string;
    content: string;
    message: string;
  }): Promise<CommitResult> {
    const send = (): Promise<CommitResult> =>
      commitOnBranch(this.#octokit, {
        repo: this.repo,
        branch: input.branch,
        expectedHeadOid: input.expectedHeadSha,
        path: normalize(input.path),
        content: input.content,
        message: input.message,
      });
    try {
      return await send();
    } catch (error) {
      if (!isAmbiguous(error)) throw error;
      const head = await this.branchHead(input.branch);
      this.#log.warn(
        { branch: input.branch, status: statusOf(error) ?? null, found: head },
        "ambiguous commit; reconciled by reading",
      );
      if (head === null) throw error;
      if (head !== input.expectedHeadSha) {
        // Either our commit landed or someone else's did; only ours has our parent and message.
        const commit = (
          await this.#octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
            ...this.#r,
            commit_sha: head,
          })
        ).data;
        const ours =
          commit.parents[0]?.sha === input.expectedHeadSha && commit.message.trim() === input.message.trim();
        return ours ? { ok: true, sha: head } : { ok: false, reason: "stale-head" };
      }
      // Nothing landed. Sending again is safe: expectedHeadOid makes the mutation at-most-once.
      return send();
    }
  }

  // --- pull requests -----------------------------------------------------------------------------

  async findPullRequest(head: string): Promise<PullRequest | null> {
    const { data } = await this.#octokit.request("GET /repos/{owner}/{repo}/pulls", {
      ...this.#r,
      head: `${this.#owner}:${head}`,
      state: "all",
      per_page: PAGE,
    });
    const pulls = data.map((pull) => this.#fromRest(pull));
    // Newest first already; an open one wins over an older closed one for the same branch.
    return pulls.find((pull) => pull.state === "open") ?? pulls[0] ?? null;
  }

  async getPullRequest(number: number): Promise<PullRequest | null> {
    const response = await orNull(
      this.#octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
        ...this.#r,
        pull_number: number,
      }),
    );
    return response === null ? null : this.#fromRest(response.data);
  }

  async openPullRequest(input: {
    head: string;
    base: string;
    title: string;
    body: string;
    draft?: boolean;
  }): Promise<PullRequest> {
    try {
      const { data } = await this.#octokit.request("POST /repos/{owner}/{repo}/pulls", {
        ...this.#r,
        head: input.head,
        base: input.base,
        title: input.title,
        body: input.body,
        draft: input.draft ?? false,
      });
      return this.#fromRest(data);
    } catch (error) {
      const exists = statusOf(error) === 422 && /pull request already exists/i.test(messageOf(error));
      if (!exists && !isAmbiguous(error)) throw error;
      const found = await this.findPullRequest(input.head);
      this.#log.warn(
        { head: input.head, status: statusOf(error) ?? null, pr: found?.number ?? null },
        "PR create failed or raced; reconciled by reading",
      );
      if (found === null || found.state !== "open") throw error;
      return found;
    }
  }

  async updatePullRequestBody(number: number, body: string): Promise<void> {
    await this.#octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...this.#r,
      pull_number: number,
      body,
    });
  }

  async compare(base: string, head: string): Promise<Comparison> {
    const { data } = await this.#octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
      ...this.#r,
      basehead: `${base}...${head}`,
      per_page: 100,
    });
    const files = data.files ?? [];
    return {
      files: [
        ...new Set(
          files.flatMap((file) =>
            file.previous_filename === undefined ? [file.filename] : [file.filename, file.previous_filename],
          ),
        ),
      ],
      commits: data.commits.map((c) => ({ sha: c.sha, author: c.author?.login ?? null })),
      // GitHub lists at most 250 commits and 300 files here; a longer comparison cannot be vouched for.
      truncated: data.total_commits > data.commits.length || files.length >= 300,
    };
  }

  async pullRequestFiles(number: number): Promise<string[]> {
    const files = await this.#octokit.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", {
      ...this.#r,
      pull_number: number,
      per_page: PAGE,
    });
    // A rename changes both paths; both matter to /dry-run and /rollback.
    return [
      ...new Set(
        files.flatMap((file) =>
          file.previous_filename === undefined ? [file.filename] : [file.filename, file.previous_filename],
        ),
      ),
    ];
  }

  async listRemedyPullRequests(since: string): Promise<PullRequest[]> {
    const pulls = new Map<number, PullRequest>();
    let after: string | null = null;
    for (;;) {
      const data: PullsData = await this.#octokit.graphql<PullsData>(REMEDY_PULLS, {
        ...this.#r,
        after,
        withOpen: after === null,
      });
      for (const node of data.repository?.open?.nodes ?? []) pulls.set(node.number, this.#fromGraph(node));
      const page = data.repository?.recent;
      if (page === undefined) break;
      let older = false;
      for (const node of page.nodes) {
        if (node.createdAt < since) {
          older = true;
          break;
        }
        pulls.set(node.number, this.#fromGraph(node));
      }
      if (older || !page.pageInfo.hasNextPage || page.pageInfo.endCursor === null) break;
      after = page.pageInfo.endCursor;
    }
    return [...pulls.values()].sort((a, b) => b.number - a.number);
  }

  async requestReviewers(pr: number, reviewers: { users: string[]; teams: string[] }): Promise<void> {
    if (reviewers.users.length === 0 && reviewers.teams.length === 0) return;
    if (await this.#requestReviewers(pr, reviewers.users, reviewers.teams)) return;
    // GitHub refuses the whole request when one name is not a collaborator; ask for each one
    // separately so a single stale name in a runbook does not leave the PR without reviewers.
    if (reviewers.users.length + reviewers.teams.length === 1) return;
    for (const user of reviewers.users) await this.#requestReviewers(pr, [user], []);
    for (const team of reviewers.teams) await this.#requestReviewers(pr, [], [team]);
  }

  async enableAutoMerge(pr: number): Promise<void> {
    try {
      // Reading the PR records its node id as a side effect of mapping it.
      if (!this.#nodeIds.has(pr)) await this.getPullRequest(pr);
      const id = this.#nodeIds.get(pr);
      if (id === undefined) throw new Error(`PR #${pr} not found`);
      await this.#octokit.graphql(ENABLE_AUTO_MERGE, { id });
    } catch (error) {
      // Auto-merge is a convenience (the repo may not allow it, or the PR is already clean): the
      // reviewers still merge by hand, so this never fails the flow.
      this.#log.warn({ pr, error: messageOf(error) }, "could not enable auto-merge");
    }
  }

  /**
   * Two requests instead of five or six: one query for the node ids the mutations take (labels,
   * reviewers, the incident issue and its link comment), then one document with every mutation.
   * GitHub runs a document's mutations one after another and reports each one's error on its own,
   * so a part that fails (a reviewer who is not a collaborator, a label that does not exist yet) is
   * sent again on its own through REST, which creates labels and asks reviewers one by one. After an
   * ambiguous failure nothing is assumed: every part goes through REST, whose writes are idempotent
   * here (the check run is looked up before it is created again).
   */
  async finishPullRequest(pr: PullRequest, input: FinishPullRequestInput): Promise<void> {
    const pullId = this.#nodeIds.get(pr.number);
    // Nothing has been sent yet on these two paths, so REST starts from scratch.
    if (pullId === undefined) return this.#finishByRest(pr, input, new Set(FINISH_PARTS), false);
    const users = input.reviewers.users;
    const teams = input.reviewers.teams;
    const ids = await this.#graphqlPartial<FinishContext>(finishContextQuery(users.length, teams.length), {
      ...this.#r,
      issue: input.link?.issue ?? 0,
      withIssue: input.link !== undefined,
      withTeams: teams.length > 0,
      ...Object.fromEntries(users.map((login, i) => [`u${i}`, login])),
      ...Object.fromEntries(teams.map((slug, i) => [`t${i}`, slug])),
    });
    const repository = ids?.repository ?? null;
    if (repository === null) return this.#finishByRest(pr, input, new Set(FINISH_PARTS), false);

    const known = new Map((repository.labels?.nodes ?? []).map((label) => [label.name, label.id]));
    const labelIds = input.labels.flatMap((name) => known.get(name) ?? []);
    const rest = new Set<FinishPart>();
    if (labelIds.length < input.labels.length) rest.add("labels");
    const userIds = users.map((_, i) => ids?.[`u${i}`]?.id ?? null);
    const teamIds = teams.map((_, i) => ids?.organization?.[`t${i}`]?.id ?? null);
    if ([...userIds, ...teamIds].includes(null)) rest.add("reviews");
    const bot = this.#botLogin.replace(/\[bot\]$/, "");
    const link = input.link;
    const existing =
      link === undefined
        ? undefined
        : repository.issue?.comments.nodes.find(
            (c) => c.author?.login === bot && c.body.includes(link.marker),
          );
    if (link !== undefined && repository.issue == null) rest.add("link");

    const parts: Array<MutationPart & { alias: FinishPart }> = [];
    if (!rest.has("labels") && labelIds.length > 0)
      parts.push({
        alias: "labels",
        field: "addLabelsToLabelable",
        type: "AddLabelsToLabelableInput",
        input: { labelableId: pullId, labelIds },
        select: "clientMutationId",
      });
    if (!rest.has("reviews") && userIds.length + teamIds.length > 0)
      parts.push({
        alias: "reviews",
        field: "requestReviews",
        type: "RequestReviewsInput",
        input: { pullRequestId: pullId, userIds, teamIds, union: true },
        select: "clientMutationId",
      });
    const run = input.checkRun;
    parts.push({
      alias: "check",
      field: "createCheckRun",
      type: "CreateCheckRunInput",
      input: {
        repositoryId: repository.id,
        headSha: run.headSha,
        name: run.name,
        status: run.status.toUpperCase(),
        ...(run.conclusion === undefined ? {} : { conclusion: run.conclusion.toUpperCase() }),
        ...(run.externalId === undefined ? {} : { externalId: run.externalId }),
        output: output(run.title, run.summary, run.text),
      },
      select: "checkRun { databaseId }",
    });
    if (input.autoMerge)
      parts.push({
        alias: "autoMerge",
        field: "enablePullRequestAutoMerge",
        type: "EnablePullRequestAutoMergeInput",
        input: { pullRequestId: pullId },
        select: "clientMutationId",
      });
    if (link !== undefined && !rest.has("link")) {
      if (existing === undefined)
        parts.push({
          alias: "link",
          field: "addComment",
          type: "AddCommentInput",
          input: { subjectId: repository.issue?.id, body: link.body },
          select: "clientMutationId",
        });
      else if (existing.body !== link.body)
        parts.push({
          alias: "link",
          field: "updateIssueComment",
          type: "UpdateIssueCommentInput",
          input: { id: existing.id, body: link.body },
          select: "clientMutationId",
        });
    }

    try {
      await this.#octokit.graphql(finishMutation(parts), {
        ...Object.fromEntries(parts.map((part) => [part.alias, part.input])),
      });
    } catch (error) {
      const failed = (error as { errors?: Array<{ path?: unknown[] }> } | null)?.errors;
      if (!Array.isArray(failed) && !isAmbiguous(error)) throw error;
      const refused = (failed ?? []).map((e) => FINISH_PARTS.find((part) => part === e.path?.[0]));
      // No answer, or an error tied to no one mutation: any part may have run, so all are redone.
      if (!Array.isArray(failed) || refused.includes(undefined)) {
        this.#log.warn({ pr: pr.number, status: statusOf(error) ?? null }, "unclear finish; redone by REST");
        return this.#finishByRest(pr, input, new Set(FINISH_PARTS), true);
      }
      for (const part of refused) {
        // Auto-merge is best effort: a repository that does not allow it says so once, not twice.
        if (part === "autoMerge") this.#log.warn({ pr: pr.number }, "could not enable auto-merge");
        else if (part !== undefined) rest.add(part);
      }
      this.#log.warn({ pr: pr.number, parts: [...rest] }, "some PR updates refused; sending them by REST");
    }
    if (rest.size > 0) await this.#finishByRest(pr, input, rest, false);
  }

  /**
   * The parts by REST. Labels, review requests, auto-merge and the upserted link are idempotent;
   * the check run is not, so when it may already exist (`checkFirst`) it is looked up first.
   */
  async #finishByRest(
    pr: PullRequest,
    input: FinishPullRequestInput,
    parts: ReadonlySet<FinishPart>,
    checkFirst: boolean,
  ): Promise<void> {
    if (parts.has("labels")) await this.addLabels(pr.number, input.labels);
    if (parts.has("reviews")) await this.requestReviewers(pr.number, input.reviewers);
    if (parts.has("check")) {
      const run = input.checkRun;
      const landed =
        checkFirst && (await this.listCheckRuns(run.headSha, run.name)).some((r) => r.title === run.title);
      if (!landed) await this.createCheckRun(run);
    }
    if (input.autoMerge && parts.has("autoMerge")) await this.enableAutoMerge(pr.number);
    if (input.link !== undefined && parts.has("link"))
      await this.upsertComment(input.link.issue, input.link.marker, input.link.body);
  }

  /** A GraphQL answer with some fields in error still carries the rest; null fields stay null. */
  async #graphqlPartial<T>(query: string, variables: Record<string, unknown>): Promise<T | null> {
    try {
      return await this.#octokit.graphql<T>(query, variables);
    } catch (error) {
      const data = (error as { data?: unknown } | null)?.data;
      if (
        Array.isArray((error as { errors?: unknown } | null)?.errors) &&
        data !== undefined &&
        data !== null
      )
        return data as T;
      throw error;
    }
  }

  // --- issues and comments -----------------------------------------------------------------------

  async getIssue(number: number): Promise<Issue | null> {
    const response = await orNull(
      this.#octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
        ...this.#r,
        issue_number: number,
      }),
    );
    return response === null ? null : issueFromRest(response.data);
  }

  async createIssue(input: { title: string; body: string; labels: string[] }): Promise<Issue> {
    try {
      const { data } = await this.#octokit.request("POST /repos/{owner}/{repo}/issues", {
        ...this.#r,
        title: input.title,
        body: input.body,
        labels: input.labels,
      });
      return issueFromRest(data);
    } catch (error) {
      if (!isAmbiguous(error)) throw error;
      // Only our own, newest, identical issue counts as the one that landed.
      const { data } = await this.#octokit.request("GET /repos/{owner}/{repo}/issues", {
        ...this.#r,
        creator: this.#botLogin,
        state: "open",
        sort: "created",
        direction: "desc",
        per_page: 10,
        ...(input.labels.length === 0 ? {} : { labels: input.labels.join(",") }),
      });
      const found = data.find(
        (issue) =>
          issue.pull_request === undefined &&
          issue.title === input.title &&
          (issue.body ?? "") === input.body,
      );
      this.#log.warn(
        { status: statusOf(error) ?? null, issue: found?.number ?? null },
        "ambiguous issue create; reconciled by reading",
      );
      if (found === undefined) throw error;
      return issueFromRest(found);
    }
  }

  async findIssue(label: string, marker: string): Promise<Issue | null> {
    for await (const { data } of this.#octokit.paginate.iterator("GET /repos/{owner}/{repo}/issues", {
      ...this.#r,
      labels: label,
      state: "open",
      per_page: PAGE,
    })) {
      const found = data.find(
        (issue) => issue.pull_request === undefined && (issue.body ?? "").includes(marker),
      );
      if (found !== undefined) return issueFromRest(found);
    }
    return null;
  }

  async closeIssue(number: number): Promise<void> {
    await this.#octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
      ...this.#r,
      issue_number: number,
      state: "closed",
      state_reason: "completed",
    });
  }

  async addLabels(issueOrPr: number, labels: string[]): Promise<void> {
    if (labels.length === 0) return;
    await this.#octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", {
      ...this.#r,
      issue_number: issueOrPr,
      labels,
    });
  }

  async removeLabel(issueOrPr: number, label: string): Promise<void> {
    try {
      await this.#octokit.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", {
        ...this.#r,
        issue_number: issueOrPr,
        name: label,
      });
    } catch (error) {
      // The label was not there: the state we wanted already holds.
      if (statusOf(error) !== 404) throw error;
    }
  }

  async comment(issueOrPr: number, body: string): Promise<{ id: number }> {
    const since = new Date(Date.now() - 5 * 60_000).toISOString();
    try {
      const { data } = await this.#octokit.request(
        "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
        { ...this.#r, issue_number: issueOrPr, body },
      );
      return { id: Number(data.id) };
    } catch (error) {
      if (!isAmbiguous(error)) throw error;
      const { data } = await this.#octokit.request(
        "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
        { ...this.#r, issue_number: issueOrPr, since, per_page: PAGE },
      );
      const found = data.findLast(
        (comment) => comment.user?.login === this.#botLogin && comment.body === body,
      );
      this.#log.warn(
        { on: issueOrPr, status: statusOf(error) ?? null, comment: found?.id ?? null },
        "ambiguous comment; reconciled by reading",
      );
      if (found === undefined) throw error;
      return { id: Number(found.id) };
    }
  }

  async upsertComment(issueOrPr: number, marker: string, body: string): Promise<{ id: number }> {
    const comments = await this.#octokit.paginate(
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
      { ...this.#r, issue_number: issueOrPr, per_page: PAGE },
    );
    // Only the bot's own comment: a person quoting the marker must not have their comment rewritten.
    const existing = comments.find(
      (comment) => comment.user?.login === this.#botLogin && (comment.body ?? "").includes(marker),
    );
    if (existing === undefined) return this.comment(issueOrPr, body);
    if (existing.body !== body)
      await this.#octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
        ...this.#r,
        comment_id: existing.id,
        body,
      });
    return { id: Number(existing.id) };
  }

  // --- check runs --------------------------------------------------------------------------------

  async createCheckRun(input: CheckRunInput): Promise<{ id: number }> {
    const { data } = await this.#octokit.request("POST /repos/{owner}/{repo}/check-runs", {
      ...this.#r,
      name: input.name,
      head_sha: input.headSha,
      status: input.status,
      ...(input.conclusion === undefined ? {} : { conclusion: input.conclusion }),
      ...(input.externalId === undefined ? {} : { external_id: input.externalId }),
      output: output(input.title, input.summary, input.text),
    });
    return { id: Number(data.id) };
  }

  async updateCheckRun(id: number, input: Partial<CheckRunInput>): Promise<void> {
    await this.#octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      ...this.#r,
      check_run_id: id,
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.status === undefined ? {} : { status: input.status }),
      ...(input.conclusion === undefined ? {} : { conclusion: input.conclusion }),
      ...(input.externalId === undefined ? {} : { external_id: input.externalId }),
      // GitHub's output object needs a summary; a title alone cannot be sent.
      ...(input.summary === undefined ? {} : { output: output(input.title, input.summary, input.text) }),
    });
  }

  async listCheckRuns(headSha: string, name: string): Promise<Array<CheckRunInput & { id: number }>> {
    // filter=all: the default (latest) hides the earlier runs a restart may need to find.
    const { data } = await this.#octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
      ...this.#r,
      ref: headSha,
      check_name: name,
      filter: "all",
      per_page: PAGE,
    });
    return data.check_runs
      .filter((run) => run.name === name)
      .sort((a, b) => Number(b.id) - Number(a.id))
      .map((run) => ({
        id: Number(run.id),
        name: run.name,
        headSha: run.head_sha,
        status: run.status === "queued" || run.status === "in_progress" ? run.status : "completed",
        ...(run.conclusion === null ? {} : { conclusion: run.conclusion }),
        title: run.output.title ?? "",
        summary: run.output.summary ?? "",
        ...(run.output.text === null ? {} : { text: run.output.text }),
        ...(run.external_id === null ? {} : { externalId: run.external_id }),
      }));
  }

  // --- permission and protection -----------------------------------------------------------------

  permission(user: string): Promise<Role> {
    let role = this.#roles.get(user);
    if (role === undefined) {
      role = this.#permission(user);
      this.#roles.set(user, role);
      role.catch(() => this.#roles.delete(user));
    }
    return role;
  }

  async protection(branch: string): Promise<Protection> {
    let rules;
    try {
      rules = await this.#octokit.paginate("GET /repos/{owner}/{repo}/rules/branches/{branch}", {
        ...this.#r,
        branch,
        per_page: PAGE,
      });
    } catch (error) {
      return {
        readable: false,
        requiredApprovals: 0,
        requiresCodeOwners: false,
        detail: `rules of ${branch} unreadable (${statusOf(error) ?? "network"}: ${messageOf(error)})`,
      };
    }
    let approvals = 0;
    let codeOwners = false;
    let pullRequestRules = 0;
    for (const rule of rules) {
      if (rule.type !== "pull_request" || !("parameters" in rule) || rule.parameters === undefined) continue;
      pullRequestRules++;
      approvals = Math.max(approvals, rule.parameters.required_approving_review_count);
      codeOwners ||= rule.parameters.require_code_owner_review;
    }
    if (pullRequestRules > 0) {
      return {
        readable: true,
        requiredApprovals: approvals,
        requiresCodeOwners: codeOwners,
        detail: `ok: ruleset requires ${approvals} approving review${approvals === 1 ? "" : "s"}${codeOwners ? " and code owner review" : ""}`,
      };
    }
    return this.#classicProtection(branch);
  }

  // --- internals ---------------------------------------------------------------------------------

  async #classicProtection(branch: string): Promise<Protection> {
    try {
      const { data } = await this.#octokit.request("GET /repos/{owner}/{repo}/branches/{branch}/protection", {
        ...this.#r,
        branch,
      });
      const reviews = data.required_pull_request_reviews;
      const approvals = reviews?.required_approving_review_count ?? 0;
      const codeOwners = reviews?.require_code_owner_reviews ?? false;
      return {
        readable: true,
        requiredApprovals: approvals,
        requiresCodeOwners: codeOwners,
        detail: `ok: classic branch protection requires ${approvals} approving review${approvals === 1 ? "" : "s"}${codeOwners ? " and code owner review" : ""}`,
      };
    } catch (error) {
      const status = statusOf(error);
      if (status === 404)
        return {
          readable: true,
          requiredApprovals: 0,
          requiresCodeOwners: false,
          detail: `ok: no ruleset or classic protection requires a review on ${branch}`,
        };
      // Classic protection needs Administration: read, which the App may rightly lack; the rules
      // endpoint was readable and shows no review rule, so report what is known: none.
      if (status === 403)
        return {
          readable: true,
          requiredApprovals: 0,
          requiresCodeOwners: false,
          detail: `ok: no ruleset requires a review on ${branch}; classic protection not readable (Administration: read not granted)`,
        };
      return {
        readable: false,
        requiredApprovals: 0,
        requiresCodeOwners: false,
        detail: `classic protection of ${branch} unreadable (${status ?? "network"}: ${messageOf(error)})`,
      };
    }
  }

  async #permission(user: string): Promise<Role> {
    const response = await orNull(
      this.#octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", {
        ...this.#r,
        username: user,
      }),
    );
    if (response === null) return "none";
    const { role_name: roleName, permission } = response.data;
    if ((ROLES as readonly string[]).includes(roleName)) return roleName as Role;
    // A custom role: its legacy permission is the base role it extends.
    if (permission === "admin" || permission === "write" || permission === "read") return permission;
    return "none";
  }

  async #requestReviewers(pr: number, users: string[], teams: string[]): Promise<boolean> {
    try {
      await this.#octokit.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", {
        ...this.#r,
        pull_number: pr,
        reviewers: users,
        team_reviewers: teams,
      });
      return true;
    } catch (error) {
      if (statusOf(error) !== 422) throw error;
      this.#log.warn({ pr, users, teams, error: messageOf(error) }, "review request refused; continuing");
      return false;
    }
  }

  async #contentsFile(path: string, ref: string | undefined): Promise<string | null> {
    const response = await orNull(
      this.#octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        ...this.#r,
        path,
        ...(ref === undefined ? {} : { ref }),
      }),
    );
    const data = response?.data;
    if (data === undefined || Array.isArray(data) || data.type !== "file" || !("content" in data))
      return null;
    // Files over 1 MB come back without content; the blob endpoint still has them.
    if (data.encoding === "none" || (data.content === "" && data.size > 0)) return this.#blobText(data.sha);
    return decode(data.content);
  }

  /** Every file of a commit, one request (the tree endpoint resolves a commit sha to its tree). */
  #commitTree(commit: string): Promise<CommitTree> {
    const cached = this.#cache.tree(this.repo, commit);
    if (cached !== undefined) return Promise.resolve(cached);
    let load = this.#treeLoads.get(commit);
    if (load === undefined) {
      load = this.#octokit
        .request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
          ...this.#r,
          tree_sha: commit,
          recursive: "1",
        })
        .then(({ data }) => {
          const files = new Map<string, { oid: string; size: number }>();
          for (const entry of data.tree)
            if (entry.type === "blob" && entry.path !== undefined && entry.sha !== undefined)
              files.set(entry.path, { oid: entry.sha, size: entry.size ?? 0 });
          const tree: CommitTree = { files, truncated: data.truncated };
          this.#cache.setTree(this.repo, commit, tree);
          return tree;
        })
        .finally(() => this.#treeLoads.delete(commit));
      this.#treeLoads.set(commit, load);
    }
    return load;
  }

  /**
   * A blob's text from the cache, or fetched together with the other uncached files of every folder
   * read before in this repository (runbooks, policies, the services' manifest folders), so a new
   * base commit costs one request for whatever changed.
   */
  async #text(tree: CommitTree, path: string, oid: string): Promise<string> {
    const cached = this.#cache.blob(this.repo, oid);
    if (cached !== undefined) return cached;
    const hot = this.#cache.hotDirs(this.repo);
    hot.add(parentOf(path));
    const wanted = new Set([oid]);
    for (const [other, entry] of tree.files) {
      if (wanted.size >= BLOB_BATCH) break;
      if (
        hot.has(parentOf(other)) &&
        BATCHED_FILE.test(other) &&
        entry.size <= BLOB_BATCH_MAX_BYTES &&
        this.#cache.blob(this.repo, entry.oid) === undefined
      )
        wanted.add(entry.oid);
    }
    const texts = await this.#blobTexts([...wanted]);
    return texts.get(oid) ?? (await this.#blobText(oid));
  }

  async #blobTexts(oids: string[]): Promise<Map<string, string>> {
    const variables = Object.fromEntries(oids.map((oid, i) => [`b${i}`, oid]));
    const data = await this.#octokit.graphql<{
      repository: Record<string, { text?: string | null; isTruncated?: boolean } | null> | null;
    }>(blobsQuery(oids.length), { ...this.#r, ...variables });
    const texts = new Map<string, string>();
    oids.forEach((oid, i) => {
      const blob = data.repository?.[`b${i}`];
      // Binary (text null) or cut short: left to the blob endpoint, one at a time.
      if (blob?.text === undefined || blob.text === null || blob.isTruncated === true) return;
      texts.set(oid, blob.text);
      this.#cache.setBlob(this.repo, oid, blob.text);
    });
    return texts;
  }

  async #blobText(sha: string): Promise<string> {
    const { data } = await this.#octokit.request("GET /repos/{owner}/{repo}/git/blobs/{file_sha}", {
      ...this.#r,
      file_sha: sha,
    });
    const text = data.encoding === "base64" ? decode(data.content) : data.content;
    this.#cache.setBlob(this.repo, sha, text);
    return text;
  }

  #fromRest(pull: RestPullWithNode): PullRequest {
    this.#nodeIds.set(pull.number, pull.node_id);
    return pullRequestFromRest(pull);
  }

  #fromGraph(node: GraphPull): PullRequest {
    this.#nodeIds.set(node.number, node.id);
    return {
      number: node.number,
      url: node.url,
      title: node.title,
      body: node.body,
      head: node.headRefName,
      base: node.baseRefName,
      state: node.state === "OPEN" ? "open" : "closed",
      merged: node.merged,
      mergeSha: node.mergeCommit?.oid ?? null,
      mergedAt: node.mergedAt,
      createdAt: node.createdAt,
      labels: node.labels?.nodes.map((label) => label.name) ?? [],
      draft: node.isDraft,
      // GraphQL drops REST's "[bot]" suffix from App logins; restore it so both paths agree.
      author:
        node.author === null
          ? "ghost"
          : node.author.__typename === "Bot"
            ? `${node.author.login}[bot]`
            : node.author.login,
    };
  }
}

function output(
  title: string | undefined,
  summary: string,
  text: string | undefined,
): { title: string; summary: string; text?: string } {
  return { title: title ?? "", summary: cap(summary), ...(text === undefined ? {} : { text: cap(text) }) };
}

function cap(text: string): string {
  const note = "\n\n… (truncated: GitHub caps this field at 65,535 characters)";
  return text.length <= MAX_OUTPUT ? text : text.slice(0, MAX_OUTPUT - note.length) + note;
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

function decode(base64: string): string {
  return Buffer.from(base64, "base64").toString("utf8");
}

function normalize(path: string): string {
  return path.replace(/^\.?\/+/, "").replace(/\/+/g, "/");
}

async function orNull<T>(request: Promise<T>): Promise<T | null> {
  try {
    return await request;
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

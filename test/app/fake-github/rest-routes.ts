import { route, type Route } from "./rest-route.js";
import { restComment, restIssue, restPull } from "./rest-shapes.js";
import { BOT_LOGIN, notFound, type CheckRunRecord, type CommentRecord, type IssueRecord } from "./state.js";

/** Pull requests, issues, comments, check runs, permissions and rules (below /repos/{owner}/{repo}). */
export const REPO_ROUTES: readonly Route[] = [
  // pulls
  // Newest first (GitHub's default sort is by creation; `direction` is not modelled), by `state`
  // (default open, as GitHub) and paged by `page` / `per_page`.
  route("GET", /^\/pulls$/, ({ s, query }) => {
    const head = query.get("head")?.split(":")[1];
    const state = query.get("state") ?? "open";
    const perPage = Number(query.get("per_page") ?? 30);
    const page = Number(query.get("page") ?? 1);
    return [
      200,
      s
        .pulls()
        .filter((p) => head === undefined || p.pull?.head === head)
        .filter((p) => state === "all" || p.state === state)
        .reverse()
        .slice((page - 1) * perPage, page * perPage)
        .map((p) => restPull(p)),
    ];
  }),
  route("POST", /^\/pulls$/, ({ s, body }) => {
    const opened = s.openPull({
      head: String(body.head),
      base: String(body.base),
      title: String(body.title),
      body: String(body.body ?? ""),
      draft: body.draft === true,
    });
    if ("pr" in opened) return [201, restPull(opened.pr)];
    if (opened.refused === "invalid head")
      return [422, { message: "Validation Failed", errors: [{ field: "head", code: "invalid" }] }];
    return [
      422,
      {
        message: `Validation Failed: ${opened.message}`,
        errors: [{ resource: "PullRequest", code: "custom", message: opened.message }],
      },
    ];
  }),
  route("GET", /^\/pulls\/(\d+)\/files$/, ({ s, m }) => {
    const pr = s.issues.get(Number(m[1]));
    if (pr?.pull === undefined) return notFound();
    const headSha = pr.pull.mergeSha ?? pr.pull.headSha;
    const files = s.diffEntries(s.commits.get(headSha)?.parents[0], headSha);
    return [200, files.map((f) => ({ ...f, blob_url: "", raw_url: "", contents_url: "" }))];
  }),
  route("*", /^\/pulls\/(\d+)$/, ({ method, s, m, body }) => {
    const pr = s.issues.get(Number(m[1]));
    if (pr?.pull === undefined) return notFound();
    if (method === "PATCH" && typeof body.body === "string") pr.body = body.body;
    if (method === "PATCH" && typeof body.title === "string") pr.title = body.title;
    return [200, restPull(pr)];
  }),
  route("POST", /^\/pulls\/(\d+)\/requested_reviewers$/, ({ s, m, body }) => {
    s.reviewRequests.push({
      pr: Number(m[1]),
      reviewers: (body.reviewers as string[]) ?? [],
      teams: (body.team_reviewers as string[]) ?? [],
    });
    return [201, restPull(s.issues.get(Number(m[1])) as IssueRecord)];
  }),
  // issues
  route("GET", /^\/issues$/, ({ s, query }) => {
    const labels = query.get("labels")?.split(",") ?? [];
    const state = query.get("state") ?? "open";
    return [
      200,
      [...s.issues.values()]
        .filter((i) => (state === "all" || i.state === state) && labels.every((l) => i.labels.includes(l)))
        .reverse()
        .map((i) => restIssue(i)),
    ];
  }),
  route("POST", /^\/issues$/, ({ s, body }) => {
    const issue = s.addIssue({
      title: String(body.title),
      body: String(body.body ?? ""),
      labels: (body.labels as string[]) ?? [],
      user: BOT_LOGIN,
    });
    return [201, restIssue(issue)];
  }),
  route("*", /^\/issues\/(\d+)$/, ({ method, s, m, body }) => {
    const issue = s.issues.get(Number(m[1]));
    if (issue === undefined) return notFound();
    if (method === "PATCH" && (body.state === "open" || body.state === "closed")) issue.state = body.state;
    if (method === "PATCH" && typeof body.body === "string") issue.body = body.body;
    return [200, restIssue(issue)];
  }),
  route("POST", /^\/issues\/(\d+)\/labels$/, ({ s, m, body }) => {
    const issue = s.issues.get(Number(m[1]));
    if (issue === undefined) return notFound();
    for (const label of body.labels as string[]) if (!issue.labels.includes(label)) issue.labels.push(label);
    return [200, issue.labels.map((name) => ({ name }))];
  }),
  route("DELETE", /^\/issues\/(\d+)\/labels\/(.+)$/, ({ s, m }) => {
    const issue = s.issues.get(Number(m[1]));
    if (issue === undefined || !issue.labels.includes(m[2] ?? "")) return notFound();
    issue.labels = issue.labels.filter((l) => l !== m?.[2]);
    return [200, issue.labels.map((name) => ({ name }))];
  }),
  route("*", /^\/issues\/(\d+)\/comments$/, ({ method, s, m, body }) => {
    const number = Number(m[1]);
    if (method === "GET") return [200, s.commentsOn(number).map((c) => restComment(c))];
    const comment: CommentRecord = {
      id: s.nextId(),
      issue: number,
      body: String(body.body),
      user: BOT_LOGIN,
    };
    s.comments.push(comment);
    return [201, restComment(comment)];
  }),
  route("PATCH", /^\/issues\/comments\/(\d+)$/, ({ s, m, body }) => {
    const comment = s.comments.find((c) => c.id === Number(m?.[1]));
    if (comment === undefined) return notFound();
    comment.body = String(body.body);
    return [200, restComment(comment)];
  }),
  // checks
  route("POST", /^\/check-runs$/, ({ s, body }) => {
    const run: CheckRunRecord = {
      id: s.nextId(),
      name: String(body.name),
      head_sha: String(body.head_sha),
      status: String(body.status ?? "queued"),
      conclusion: (body.conclusion as string) ?? null,
      output: (body.output as CheckRunRecord["output"]) ?? {},
      external_id: (body.external_id as string) ?? null,
    };
    s.checkRuns.push(run);
    return [201, run];
  }),
  route("PATCH", /^\/check-runs\/(\d+)$/, ({ s, m, body }) => {
    const run = s.checkRuns.find((r) => r.id === Number(m?.[1]));
    if (run === undefined) return notFound();
    Object.assign(run, body);
    return [200, run];
  }),
  route("GET", /^\/commits\/([^/]+)\/check-runs$/, ({ s, m, query }) => {
    const runs = s.checkRuns.filter(
      (r) =>
        r.head_sha === m?.[1] && (query.get("check_name") === null || r.name === query.get("check_name")),
    );
    return [200, { total_count: runs.length, check_runs: runs }];
  }),
  // permission and protection
  route("GET", /^\/collaborators\/([^/]+)\/permission$/, ({ s, m }) => {
    const role = s.roles.get(m[1] ?? "");
    if (role === undefined) return notFound();
    const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
    return [200, { permission, role_name: role, user: { login: m[1] } }];
  }),
  route("GET", /^\/rules\/branches\/[^/]+$/, ({ s }) =>
    s.rulesReadable ? [200, s.rules] : [403, { message: "Resource not accessible by integration" }],
  ),
  route("GET", /^\/branches\/[^/]+\/protection$/, () => [404, { message: "Branch not protected" }]),
];

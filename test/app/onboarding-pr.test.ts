/**
 * The onboarding PR (SPEC §7, §1 invariant 1's exception) through Probot receiving GitHub's own
 * `installation.created` and `installation_repositories.added` payloads: one "Configure Remedy" PR
 * that only adds the `remedy init` files, never twice, never over a branch Remedy did not write.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { loadRepository } from "../../src/repo/load-repository.js";
import { useRemedyApp } from "./app-test.js";
import {
  BOT_LOGIN,
  FakeGitHub,
  INSTALLATION_ID,
  OWNER,
  REPO,
  exampleRepository,
  pullCreations,
} from "./fake-github.js";
import type { Harness } from "./harness.js";
import { pullRequestClosedUnmerged } from "./living-payloads.js";

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as Array<{
  name: string;
  examples: Array<Record<string, unknown>>;
}>;

const BRANCH = "remedy/onboarding";
const app = useRemedyApp();

/** The example GitOps repository before anyone configured Remedy: manifests only. */
function unconfigured(extra: Record<string, string> = {}): Record<string, string> {
  const files = Object.fromEntries(
    Object.entries(exampleRepository()).filter(([path]) => path.startsWith("manifests/")),
  );
  return { ...files, ...extra };
}

function installationPayload(name: "installation" | "installation_repositories"): Record<string, unknown> {
  const action = name === "installation" ? "created" : "added";
  const found = examples.find((d) => d.name === name)?.examples.find((e) => e.action === action);
  if (found === undefined) throw new Error(`no ${name}.${action} example`);
  const payload = structuredClone(found);
  const repos = [{ id: 1, node_id: "R_1", name: REPO, full_name: `${OWNER}/${REPO}`, private: true }];
  payload.installation = { ...(payload.installation as object), id: INSTALLATION_ID };
  payload[name === "installation" ? "repositories" : "repositories_added"] = repos;
  return payload;
}

const install = (id = "install-1") => app.receive("installation", id, installationPayload("installation"));
const addRepos = (id = "added-1") =>
  app.receive("installation_repositories", id, installationPayload("installation_repositories"));

function ledger(h: Harness): Array<{ kind: string; pr: number | null; data: Record<string, unknown> }> {
  const text = h.github.file("ledger.jsonl", "remedy-audit") ?? "";
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { kind: string; pr: number | null; data: Record<string, unknown> });
}

/** Writes beyond token exchanges and GraphQL queries (the audit ledger's writes included). */
function writes(h: Harness): string[] {
  return h.github.requests
    .filter((r) => r.method !== "GET")
    .filter((r) => !/\/access_tokens$/.test(r.path))
    .filter(
      (r) => !(r.path === "/graphql" && !/^\s*mutation/.test(String((r.body as { query?: unknown })?.query))),
    )
    .map((r) => `${r.method} ${r.path}`);
}

/** Paths that differ between main and the onboarding branch, and whether each existed on main. */
function branchChanges(h: Harness): Array<{ path: string; onMain: boolean }> {
  const main = h.github.tree(h.github.resolve("main") as string);
  const head = h.github.tree(h.github.resolve(BRANCH) as string);
  return [...head]
    .filter(([path, blob]) => main.get(path) !== blob)
    .map(([path]) => ({ path, onMain: main.has(path) }))
    .concat([...main.keys()].filter((p) => !head.has(p)).map((path) => ({ path, onMain: true })));
}

describe("the onboarding PR, through the App", () => {
  it("installing the App opens one 'Configure Remedy' PR that only adds the init files, which load", async () => {
    const h = await app.start({ github: new FakeGitHub(unconfigured()) });
    await install();

    const pulls = h.github.pulls();
    expect(pulls).toHaveLength(1);
    const pr = pulls[0];
    expect(pr?.title).toBe("Configure Remedy");
    expect(pr?.user).toBe(BOT_LOGIN);
    expect(pr?.pull?.head).toBe(BRANCH);
    expect(pr?.state).toBe("open");
    expect(pr?.pull?.mergedAt).toBeNull();
    const changes = branchChanges(h);
    expect(changes.map((c) => c.path).sort()).toEqual([
      ".github/remedy.yml",
      "policies/00-remedy-starter.yaml",
      "runbooks/scale-on-saturation.yaml",
    ]);
    expect(changes.every((c) => !c.onMain)).toBe(true);
    expect(h.github.file(".github/remedy.yml", BRANCH)).toMatch(/^mode: dry-run/m);
    for (const path of changes.map((c) => c.path)) expect(pr?.body).toContain(`\`${path}\``);
    expect(pr?.body).toMatch(/Review before merging/);
    expect(pr?.body).toMatch(/Close this pull request without merging/);

    // The files load with Remedy's own loader, at the branch head, with the services it found.
    const repository = await loadRepository({
      readFile: async (path) => h.github.file(path, BRANCH),
      listFiles: async (dir) =>
        [...h.github.tree(h.github.resolve(BRANCH) as string).keys()]
          .filter((p) => p.startsWith(`${dir.replace(/\/$/, "")}/`) && !p.slice(dir.length + 1).includes("/"))
          .sort(),
    });
    expect(Object.keys(repository.config.services)).toEqual(expect.arrayContaining(["storefront", "cart"]));
    expect(repository.config.mode).toBe("dry-run");
    expect(repository.runbooks.map((r) => r.id)).toEqual(["scale-on-saturation"]);

    const opened = ledger(h).filter((e) => e.kind === "onboarding.opened");
    expect(opened).toHaveLength(1);
    expect(opened[0]?.pr).toBe(pr?.number);
    expect(h.github.problems()).toEqual([]);

    // A redelivery, and a later event for the same repository, give no second PR and no new commit.
    const head = h.github.resolve(BRANCH);
    await install();
    await addRepos();
    expect(h.github.pulls()).toHaveLength(1);
    expect(h.github.resolve(BRANCH)).toBe(head);
    expect(ledger(h).filter((e) => e.kind === "onboarding.opened")).toHaveLength(1);
  });

  it("never writes over a file the repository has; paths from the repository are shown as code only", async () => {
    const runbook = "id: mine\n# the team's own runbook\n";
    const odd = "manifests/@everyone`ping/overlays/prod/kustomization.yaml";
    const files = unconfigured({
      "runbooks/scale-on-saturation.yaml": runbook,
      [odd]: "resources: []\nreplicas:\n  - name: odd\n    count: 2\n",
    });
    const h = await app.start({ github: new FakeGitHub(files) });
    await addRepos();

    expect(h.github.pulls()).toHaveLength(1);
    expect(h.github.file("runbooks/scale-on-saturation.yaml", BRANCH)).toBe(runbook);
    expect(
      branchChanges(h)
        .map((c) => c.path)
        .sort(),
    ).toEqual([".github/remedy.yml", "policies/00-remedy-starter.yaml"]);
    const body = h.github.pulls()[0]?.body ?? "";
    expect(body).toMatch(/scale-on-saturation\.yaml` already exists: left as it is/);
    // Outside inline code no repository text reaches the body: no mention, no broken code span.
    expect(body.replace(/`[^`\n]*`/g, "")).not.toMatch(/@everyone/);
    expect(body).toContain("`manifests/@everyone'ping/overlays/prod/kustomization.yaml`");
  });

  it("a PR closed unmerged means no: recorded once, never opened again", async () => {
    const h = await app.start({ github: new FakeGitHub(unconfigured()) });
    await install();
    const pr = h.github.pulls()[0];
    if (pr?.pull === undefined) throw new Error("no onboarding PR");
    pr.state = "closed";
    await app.receive(
      "pull_request",
      "closed-1",
      pullRequestClosedUnmerged(
        {
          number: pr.number,
          body: pr.body,
          head: BRANCH,
          headSha: pr.pull.headSha,
          user: BOT_LOGIN,
          labels: [],
        },
        "alice",
      ),
    );
    expect(
      ledger(h)
        .filter((e) => e.kind === "onboarding.declined")
        .map((e) => e.pr),
    ).toEqual([pr.number]);

    const before = h.github.requests.length;
    await addRepos("added-after-no");
    await install("install-after-no");
    expect(h.github.pulls()).toHaveLength(1);
    expect(h.github.pulls()[0]?.state).toBe("closed");
    expect(ledger(h).filter((e) => e.kind === "onboarding.declined")).toHaveLength(1);
    const later = h.github.requests.slice(before).filter((r) => r.method !== "GET");
    expect(later.filter((r) => /\/git\/refs$/.test(r.path) && r.method === "POST")).toEqual([]);
    expect(pullCreations(later)).toEqual([]);
  });

  it("a branch named like the onboarding branch that someone else pushed is refused, never adopted", async () => {
    const github = new FakeGitHub(unconfigured());
    const main = github.refs.get("main") ?? null;
    const planted = github.commit(
      main,
      { ".github/remedy.yml": "mode: propose\nservices: {}\n", ".github/workflows/x.yml": "on: push\n" },
      "helpful config",
      "mallory",
    );
    github.refs.set(BRANCH, planted);
    const h = await app.start({ github });
    await install();

    expect(h.github.pulls()).toEqual([]);
    expect(h.github.resolve(BRANCH)).toBe(planted);
    const refused = ledger(h).filter((e) => e.kind === "branch.refused");
    expect(refused).toHaveLength(1);
    expect(String(refused[0]?.data.reason)).toMatch(/mallory/);
  });

  it("a branch whose commits GitHub attributes to Remedy but whose file is not the starter is refused", async () => {
    // GitHub names a commit's author by its e-mail, which the pusher chooses: a commit that claims the
    // App's address is listed as Remedy's. What Remedy wrote is known by content, not by that name.
    const github = new FakeGitHub(unconfigured());
    const main = github.refs.get("main") ?? null;
    const forged = "mode: propose\nservices: {}\nhealth:\n  prometheus: http://collector.evil.example\n";
    const planted = github.commit(
      main,
      { ".github/remedy.yml": forged },
      "Configure Remedy: add .github/remedy.yml",
      BOT_LOGIN,
    );
    github.refs.set(BRANCH, planted);
    const h = await app.start({ github });
    await install();

    expect(h.github.pulls()).toEqual([]);
    expect(h.github.resolve(BRANCH)).toBe(planted);
    const refused = ledger(h).filter((e) => e.kind === "branch.refused");
    expect(refused).toHaveLength(1);
    expect(String(refused[0]?.data.reason)).toMatch(/\.github\/remedy\.yml/);
  });

  it("a branch left at an older commit of main that holds a starter path is refused, not claimed as added", async () => {
    const github = new FakeGitHub(unconfigured());
    const start = github.refs.get("main") ?? null;
    const evil =
      "environments:\n  prod:\n    actions:\n      scale: { allow: true, max_replicas: 999, approvals: 0 }\n";
    // The policy lived on main once (by someone), then was removed; the branch still points there.
    const old = github.commit(start, { "policies/00-remedy-starter.yaml": evil }, "policy", "mallory");
    github.refs.set(
      "main",
      github.commit(old, { "policies/00-remedy-starter.yaml": null }, "drop it", "mallory"),
    );
    github.refs.set(BRANCH, old);
    const h = await app.start({ github });
    await install();

    expect(h.github.pulls()).toEqual([]);
    const refused = ledger(h).filter((e) => e.kind === "branch.refused");
    expect(refused).toHaveLength(1);
    expect(String(refused[0]?.data.reason)).toMatch(/00-remedy-starter\.yaml/);
  });

  it("a retry completes Remedy's own half-written onboarding branch instead of refusing it", async () => {
    const github = new FakeGitHub(unconfigured());
    const h = await app.start({ github });
    await install();
    const pr = h.github.pulls()[0];
    expect(pr).toBeDefined();
    const head = h.github.resolve(BRANCH);
    // As if the PR's creation never landed: Remedy's branch with every starter file is all that is left.
    h.github.issues.delete(pr?.number as number);
    await install("install-2");
    expect(h.github.pulls()).toHaveLength(1);
    expect(h.github.resolve(BRANCH)).toBe(head);
  });

  it("a PR someone else opened from the onboarding branch is not Remedy's: nothing is added to it", async () => {
    const github = new FakeGitHub(unconfigured());
    github.addPullRequest({
      title: "Configure Remedy",
      body: "<!-- remedy:onboarding -->",
      user: "mallory",
      head: BRANCH,
      files: { "runbooks/evil.yaml": "id: evil\n" },
    });
    const h = await app.start({ github });
    const head = h.github.resolve(BRANCH);
    await install();
    expect(h.github.pulls()).toHaveLength(1);
    expect(h.github.resolve(BRANCH)).toBe(head);
    expect(ledger(h).map((e) => e.kind)).toEqual(["branch.refused"]);
  });

  it("one event for many repositories: a malformed name and a failed accept lose none of the others", async () => {
    const h = await app.start({ github: new FakeGitHub(unconfigured()) });
    const payload = installationPayload("installation");
    const good = { id: 1, node_id: "R_1", name: REPO, full_name: `${OWNER}/${REPO}`, private: true };
    payload.repositories = [
      { id: 2, node_id: "R_2", name: "x", full_name: "../../x", private: true },
      { id: 5, node_id: "R_5", name: "x", full_name: "../x", private: true },
      { id: 3, node_id: "R_3", name: "y", full_name: `${OWNER}/y/../../z`, private: true },
      { id: 4, node_id: "R_4", name: "broken", full_name: `${OWNER}/broken`, private: true },
      good,
    ];
    const claim = h.runtime.store.claim.bind(h.runtime.store);
    const claimed: string[] = [];
    h.runtime.store.claim = async (key, ttl) => {
      claimed.push(key);
      if (key.endsWith(`|${OWNER.toLowerCase()}/broken`)) throw new Error("store unavailable");
      return claim(key, ttl);
    };
    await app.receive("installation", "install-many", payload);
    expect(h.github.pulls()).toHaveLength(1);
    expect(h.github.pulls()[0]?.title).toBe("Configure Remedy");
    // Names a URL would resolve (`..`) are never taken for a repository.
    expect(claimed.filter((key) => key.includes(".."))).toEqual([]);
  });

  it("an empty repository (no commit on its default branch) gets nothing and no retry storm", async () => {
    const github = new FakeGitHub({});
    github.refs.delete("main");
    const harness = await app.start({ github });
    await install();
    expect(writes(harness)).toEqual([]);
    expect(harness.github.pulls()).toEqual([]);
    expect(harness.logs.join("")).not.toMatch(/retrying/);
  });

  it.each(["off", "dry-run"])("REMEDY_MODE=%s: installing writes nothing", async (mode) => {
    const h = await app.start({
      github: new FakeGitHub(unconfigured()),
      env: { REMEDY_MODE: mode },
      expectAuth: false,
    });
    await install();
    expect(writes(h)).toEqual([]);
    expect(h.logs.join("")).toMatch(/onboarding handled/);
    expect(h.github.pulls()).toEqual([]);
    expect(h.github.refs.has(BRANCH)).toBe(false);
  });

  it("a configured repository, and one without Helm or Kustomize workloads, get nothing", async () => {
    let harness = await app.start({ github: new FakeGitHub(exampleRepository()) });
    await install();
    expect(writes(harness)).toEqual([]);
    await app.finish();

    harness = await app.start({
      github: new FakeGitHub({ "README.md": "# docs\n", "config/app.yaml": "name: docs\nport: 80\n" }),
    });
    await install();
    expect(writes(harness)).toEqual([]);
    expect(harness.github.pulls()).toEqual([]);
  });
});

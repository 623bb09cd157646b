/** SPEC §1 invariant 8: a paused scope gets no change writes, only its acknowledgement. */
import { describe, expect, it } from "vitest";
import { AuditLedger } from "../../src/audit/index.js";
import { silentLogger, type FlowDeps } from "../../src/flows/deps.js";
import { onComment } from "../../src/flows/on-comment.js";
import { onIncidentIssue } from "../../src/flows/on-issue.js";
import { onLabel } from "../../src/flows/on-label.js";
import { InMemoryForge } from "../../src/forge/memory/in-memory-forge.js";
import { isPausedWrite, pausingForge } from "../../src/forge/pausing-forge.js";
import { MemoryStore } from "../../src/store/store.js";
import { ScriptedHealth } from "../../src/verification/scripted-health.js";
import { CHECKOUT_PROD, fixtureFiles, REMEDY_YML } from "../core/fixture-repo.js";

const BOT = "remedy[bot]";
const NOW = "2026-11-21T10:00:00Z";

function setup(options: { files?: Record<string, string>; appMode?: "off" | "dry-run" } = {}) {
  const forge = new InMemoryForge({
    now: () => NOW,
    botLogin: BOT,
    permissions: { oncall: "write", visitor: "read" },
  });
  forge.seedCommit(
    "main",
    {
      ...fixtureFiles(),
      "manifests/checkout-api/overlays/prod/kustomization.yaml": CHECKOUT_PROD,
      ...options.files,
    },
    "initial",
    "2026-11-20T10:00:00Z",
  );
  const calls: Array<{ method: string; args: unknown[] }> = [];
  const spy = new Proxy(forge, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push({ method: String(property), args });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const mode = options.appMode;
  const health = new ScriptedHealth({});
  const deps: FlowDeps = {
    forge: mode === undefined ? spy : pausingForge(spy, () => `REMEDY_MODE=${mode}`),
    audit: new AuditLedger(forge.ledger, { sleep: async () => undefined }),
    store: new MemoryStore(),
    now: () => NOW,
    log: silentLogger,
    botLogin: BOT,
    health: () => ({ health, rollout: health }),
    ...(mode === undefined ? {} : { appMode: mode }),
  };
  const changeWrites = () => calls.filter((c) => isPausedWrite(c.method, c.args));
  return { forge, deps, calls, changeWrites };
}

const TITLE = "checkout-api prod: p99 latency high, scale up";

describe("invariant 8: a paused scope gets no writes but its acknowledgement", () => {
  it("REMEDY_MODE=off: an incident issue gets no branch, commit, PR or label, one comment", async () => {
    const h = setup({ appMode: "off" });
    const issue = h.forge.openIssueAs("oncall", { title: TITLE, body: "", labels: ["incident"] });
    await onIncidentIssue(h.deps, issue);
    expect(h.changeWrites()).toEqual([]);
    expect(h.forge.pullRequests).toHaveLength(0);
    const kinds = (await h.deps.audit.entries()).map((e) => e.data.summary);
    expect(kinds.some((s) => typeof s === "string" && s.startsWith("paused"))).toBe(true);
  });

  it("the pausing forge refuses a change write even if a flow forgets", async () => {
    const h = setup({ appMode: "off" });
    await expect(h.deps.forge.createBranch("remedy/x", "0".repeat(40))).rejects.toThrow(/paused/);
    // The branch and its commit in one request is a change write like each of its halves.
    const main = (await h.forge.branchHead("main")) as string;
    await expect(
      h.deps.forge.createBranchWithCommit({
        branch: "remedy/x",
        fromSha: main,
        path: "manifests/checkout-api/overlays/prod/kustomization.yaml",
        content: "x\n",
        message: "m",
      }),
    ).rejects.toThrow(/paused/);
    expect(await h.forge.branchHead("remedy/x")).toBeNull();
    await expect(h.deps.forge.addLabels(1, ["remedy"])).rejects.toThrow(/paused/);
  });

  it("mode: off in .github/remedy.yml: nothing but the acknowledgement", async () => {
    const h = setup({ files: { ".github/remedy.yml": REMEDY_YML.replace("mode: propose", "mode: off") } });
    const issue = h.forge.openIssueAs("oncall", { title: TITLE, body: "", labels: ["incident"] });
    await onIncidentIssue(h.deps, issue);
    expect(h.changeWrites()).toEqual([]);
    expect(h.forge.pullRequests).toHaveLength(0);
  });

  it("/pause on an incident, then /diagnose: no writes; a read-only /resume is refused", async () => {
    const h = setup();
    const issue = h.forge.openIssueAs("visitor", { title: TITLE, body: "", labels: ["incident"] });
    await onComment(h.deps, {
      number: issue.number,
      isPullRequest: false,
      body: "/pause",
      author: "oncall",
      authorIsBot: false,
    });
    await onComment(h.deps, {
      number: issue.number,
      isPullRequest: false,
      body: "/resume",
      author: "visitor",
      authorIsBot: false,
    });
    await onComment(h.deps, {
      number: issue.number,
      isPullRequest: false,
      body: "/diagnose scale to 6",
      author: "oncall",
      authorIsBot: false,
    });
    expect(h.changeWrites()).toEqual([]);
    expect(h.forge.pullRequests).toHaveLength(0);
    const kinds = (await h.deps.audit.entries()).map((e) => e.kind);
    expect(kinds).toContain("paused");
    expect(kinds).not.toContain("resumed");
  });

  it("the remedy:paused label removed by a non-writer is put back; the scope stays paused", async () => {
    const h = setup();
    const issue = h.forge.openIssueAs("oncall", { title: TITLE, body: "", labels: ["incident"] });
    await onLabel(h.deps, {
      on: "issue",
      number: issue.number,
      label: "remedy:paused",
      added: true,
      actor: "oncall",
    });
    await onLabel(h.deps, {
      on: "issue",
      number: issue.number,
      label: "remedy:paused",
      added: false,
      actor: "visitor",
    });
    const kinds = (await h.deps.audit.entries()).map((e) => e.kind);
    expect(kinds).toEqual(["paused"]);
    await onComment(h.deps, {
      number: issue.number,
      isPullRequest: false,
      body: "/diagnose",
      author: "oncall",
      authorIsBot: false,
    });
    expect(h.forge.pullRequests).toHaveLength(0);
  });
});

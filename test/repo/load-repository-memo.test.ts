/**
 * loadRepository keeps what it parsed by content (ContentMemo): a storm loads the same commit again
 * for every alert. These tests hold it to never answering one version of a file with another's.
 */
import { describe, expect, it } from "vitest";
import { InvalidFileError } from "../../src/config/invalid-file-error.js";
import { ContentMemo } from "../../src/repo/content-memo.js";
import { loadConfig, loadRepository } from "../../src/repo/load-repository.js";
import type { RepoReader } from "../../src/repo/repo-reader.js";
import { fixtureFiles, POLICY, REMEDY_YML, RUNBOOKS } from "../core/fixture-repo.js";
import { memoryReader } from "../core/incidents.js";

/** Each commit of a repository as its own reader, the way the forge reads at a commit id. */
function commits(...versions: Array<Record<string, string>>): RepoReader[] {
  return versions.map((overrides) => memoryReader(fixtureFiles(overrides)));
}

const problemsOf = async (load: Promise<unknown>) => {
  const error = await load.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidFileError);
  return (error as InvalidFileError).problems;
};

describe("loadRepository at many commits", () => {
  it("answers each commit with its own files, back and forth", async () => {
    const edited = REMEDY_YML.replace("aliases: [checkout]", "aliases: [checkout, till]");
    const [before, after] = commits({}, { ".github/remedy.yml": edited });
    for (let round = 0; round < 3; round++) {
      expect((await loadConfig(before!)).services["checkout-api"]?.aliases).toEqual(["checkout"]);
      expect((await loadConfig(after!)).services["checkout-api"]?.aliases).toEqual(["checkout", "till"]);
    }
  });

  it("sees a changed runbook or policy file at the next commit", async () => {
    const [file, runbook] = Object.entries(RUNBOOKS)[0]!;
    const [before, after] = commits(
      {},
      {
        [file]: runbook.replace(/^id: (\S+)/m, "id: $1-v2"),
        "policies/default.yaml": POLICY.replace("max_step: 4", "max_step: 3"),
      },
    );
    for (let round = 0; round < 2; round++) {
      const old = await loadRepository(before!);
      const now = await loadRepository(after!);
      const id = /^id: (\S+)/m.exec(runbook)?.[1];
      expect(old.runbooks.map((r) => r.id)).toContain(id);
      expect(now.runbooks.map((r) => r.id)).toContain(`${id}-v2`);
      expect(now.runbooks.map((r) => r.id)).not.toContain(id);
      expect(old.policy.environments["prod"]?.actions?.scale?.max_step).toBe(4);
      expect(now.policy.environments["prod"]?.actions?.scale?.max_step).toBe(3);
    }
  });

  it("gives every caller its own copy: changing one changes no other load", async () => {
    const [reader] = commits({});
    const first = await loadRepository(reader!);
    first.config.services["checkout-api"]!.aliases.push("mutated");
    first.runbooks.length = 0;
    (first.policy.environments as Record<string, unknown>)["prod"] = undefined;
    const second = await loadRepository(reader!);
    expect(second.config.services["checkout-api"]?.aliases).toEqual(["checkout"]);
    expect(second.runbooks.length).toBeGreaterThan(0);
    expect(second.policy.environments["prod"]).toBeDefined();
  });

  it("reports an invalid file every time, never a version loaded before", async () => {
    const [good, bad] = commits(
      {},
      { "policies/default.yaml": POLICY.replace("max_step: 4", "max_step: four") },
    );
    await loadRepository(good!);
    for (let round = 0; round < 2; round++) {
      const problems = await problemsOf(loadRepository(bad!));
      expect(problems).toEqual([
        expect.objectContaining({
          file: "policies/default.yaml",
          path: "environments.prod.actions.scale.max_step",
        }),
      ]);
    }
    expect((await loadRepository(good!)).policy.environments["prod"]?.actions?.scale?.max_step).toBe(4);
  });

  it("reads the file an `_extends` names afresh on every load", async () => {
    const shared: Record<string, string> = { "acme/.github:.github/remedy.yml": REMEDY_YML };
    const reader: RepoReader = {
      ...memoryReader(fixtureFiles({ ".github/remedy.yml": "_extends: .github\nmode: propose\n" })),
      extendsSource: { repo: "acme/gitops", read: async (repo, path) => shared[`${repo}:${path}`] ?? null },
    };
    expect(Object.keys((await loadConfig(reader)).services)).toContain("search-api");
    shared["acme/.github:.github/remedy.yml"] = REMEDY_YML.replace(
      / {2}search-api:[\s\S]*?(?= {2}legacy:)/,
      "",
    );
    expect(Object.keys((await loadConfig(reader)).services)).not.toContain("search-api");
  });
});

describe("ContentMemo", () => {
  it("keys by every input, so moving text between inputs is another key", () => {
    const memo = new ContentMemo();
    expect(memo.get(["ab", "c"], () => 1)).toBe(1);
    expect(memo.get(["a", "bc"], () => 2)).toBe(2);
    expect(memo.get(["ab", "c"], () => 3)).toBe(1);
  });

  it("keeps texts apart that differ only in lone surrogates", () => {
    const memo = new ContentMemo();
    expect(memo.get(["\uD800"], () => "first")).toBe("first");
    expect(memo.get(["\uD801"], () => "second")).toBe("second");
  });

  it("keeps no failure and forgets the least recently used past its bounds", () => {
    const memo = new ContentMemo({ maxEntries: 2 });
    expect(() =>
      memo.get(["x"], () => {
        throw new Error("bad");
      }),
    ).toThrow("bad");
    expect(memo.get(["x"], () => "computed")).toBe("computed");
    memo.get(["y"], () => "y");
    memo.get(["x"], () => "again"); // x is now the most recent
    memo.get(["z"], () => "z");
    expect(memo.size).toBe(2);
    expect(memo.get(["x"], () => "recomputed")).toBe("computed");
    expect(memo.get(["y"], () => "recomputed")).toBe("recomputed");
  });
});

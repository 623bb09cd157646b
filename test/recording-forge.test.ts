/** The scenario forge logs the branch and its commit in one request as a write (`never: writes_after_step`). */
import { describe, expect, it } from "vitest";
import { InMemoryForge } from "../src/forge/memory/in-memory-forge.js";
import { recordingForge, type RecordedWrite } from "../src/scenarios/recording-forge.js";

const NOW = "2026-11-21T10:00:00Z";

describe("recordingForge and createBranchWithCommit", () => {
  it("logs the request that takes a branch with its commit, and not one that changed nothing", async () => {
    const forge = new InMemoryForge({ now: () => NOW });
    const base = forge.seedCommit("main", { "a.yaml": "replicas: 1\n" }, "initial", NOW);
    const log: RecordedWrite[] = [];
    const recorded = recordingForge(forge, log, () => 2);
    const input = {
      branch: "remedy/x",
      fromSha: base,
      path: "a.yaml",
      content: "replicas: 2\n",
      message: "m",
    };

    expect(await recorded.createBranchWithCommit(input)).toMatchObject({ branch: "created" });
    expect(log).toMatchObject([{ step: 2, method: "createBranchWithCommit", minor: false }]);

    // Again: the branch exists and has moved past the base, so nothing lands and nothing is logged.
    expect(await recorded.createBranchWithCommit(input)).toEqual({ branch: "exists", sha: null });
    expect(log).toHaveLength(1);
  });
});

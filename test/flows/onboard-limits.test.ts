/** The onboarding PR's read of a repository is bounded: big YAML files are never fetched. */
import { describe, expect, it } from "vitest";
import { MAX_ONBOARDING_FILE_BYTES, onboardRepository } from "../../src/flows/onboard-repository.js";
import { ScriptedHealth } from "../../src/verification/scripted-health.js";
import { CHECKOUT_PROD } from "../core/fixture-repo.js";
import { flowHarness } from "../e2e/fixtures/flow-harness.js";

const FILE = "manifests/checkout-api/overlays/prod/kustomization.yaml";

describe("onboardRepository reads a bounded repository", () => {
  it("skips a YAML file bigger than findWorkloads reads without fetching it, and still opens the PR", async () => {
    const health = new ScriptedHealth({});
    const h = flowHarness(() => ({ health }), { start: "2026-11-21T10:00:00.000Z" });
    const huge = `items:\n${"  - name: x\n".repeat(Math.ceil((MAX_ONBOARDING_FILE_BYTES * 4) / 12))}`;
    h.forge.seedCommit(
      "main",
      { [FILE]: CHECKOUT_PROD, "deploy/crds/bundle.yaml": huge },
      "initial",
      "2026-11-20T10:00:00Z",
    );
    const read: string[] = [];
    const readFile = h.forge.readFile.bind(h.forge);
    h.forge.readFile = async (path, ref) => {
      read.push(path);
      return readFile(path, ref);
    };

    const result = await onboardRepository(h.deps);

    expect(result.status).toBe("opened");
    expect(read).toContain(FILE);
    expect(read).not.toContain("deploy/crds/bundle.yaml");
  });
});

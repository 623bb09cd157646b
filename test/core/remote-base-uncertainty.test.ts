import { describe, expect, it } from "vitest";
import { planIncident } from "../../src/flows/plan-incident.js";
import { renderPacket } from "../../src/proposal/approval-packet.js";
import { loadRepository } from "../../src/repo/load-repository.js";
import { CHECKOUT_PROD, fixtureFiles } from "./fixture-repo.js";
import { issueIncident, memoryReader } from "./incidents.js";

const OVERLAY = "manifests/checkout-api/overlays/prod/kustomization.yaml";

async function packetWith(resources: string[]): Promise<string> {
  const overlay = CHECKOUT_PROD.replace(
    "resources:\n  - ../../base\n",
    `resources:\n${resources.map((r) => `  - ${r}\n`).join("")}`,
  );
  const reader = memoryReader(fixtureFiles({ [OVERLAY]: overlay }));
  const outcome = await planIncident({
    repo: "acme/gitops",
    repository: await loadRepository(reader),
    reader,
    history: reader,
    baseSha: null,
    incident: issueIncident("checkout-api latency in prod", "p99 latency is high, scale up"),
    now: "2026-11-21T10:00:00Z",
    recentPrs: [],
  });
  expect(outcome.decision).toBe("propose");
  return renderPacket(outcome);
}

function uncertainties(body: string): string {
  return body.slice(body.indexOf("## Uncertainties"), body.indexOf("<!-- remedy:plan"));
}

describe("a remote Kustomize base the HPA search could not check", () => {
  it.each(["github.com/acme/platform//base?ref=v1", "https://github.com/acme/platform/base?ref=v1"])(
    "is listed under Uncertainties: %s",
    async (remote) => {
      const section = uncertainties(await packetWith(["../../base", remote]));
      expect(section).toContain(
        `${OVERLAY}: remote base ${remote} not checked (an HPA there would go unnoticed)`,
      );
    },
  );

  it("adds nothing when every base was checked", async () => {
    expect(uncertainties(await packetWith(["../../base"]))).not.toContain("not checked");
  });
});

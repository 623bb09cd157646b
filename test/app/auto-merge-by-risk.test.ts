/**
 * `auto_merge: { max_risk: low }` (issue #13, SPEC §3.3) through Probot: GitHub's auto-merge is
 * enabled (GraphQL `enablePullRequestAutoMerge`, schema-checked by the fake GitHub) for a low-risk
 * plan only, never above the tier, never in prod above low, never when protection is unverified.
 */
import { describe, expect, it } from "vitest";
import { useRemedyApp } from "./app-test.js";
import { FakeGitHub, exampleRepository } from "./fake-github.js";
import { issueOpened, type Harness } from "./harness.js";

const app = useRemedyApp();

function github(policy: string): FakeGitHub {
  return new FakeGitHub({ ...exampleRepository(), "policies/20-auto-merge.yaml": policy });
}

const STAGING_LOW = "environments:\n  staging:\n    auto_merge: { max_risk: low }\n";

/** A writer's incident; the PR it got (or throws with what Remedy said instead). */
async function proposal(h: Harness, title: string): Promise<{ number: number; body: string }> {
  const issue = h.github.addIssue({ title, body: "Since 09:50.", labels: ["incident"], user: "alice" });
  await h.probot.receive({
    id: `d-${issue.number}`,
    name: "issues",
    payload: issueOpened({ ...issue }),
  } as never);
  await h.runtime.idle();
  const pr = h.github.pulls()[0];
  if (pr === undefined)
    throw new Error(
      `no PR: ${h.github
        .commentsOn(issue.number)
        .map((c) => c.body)
        .join("\n")}`,
    );
  return { number: pr.number, body: pr.body };
}

const enableRequests = (h: Harness) =>
  h.github.requests.filter(
    (r) => r.path === "/graphql" && JSON.stringify(r.body).includes("enablePullRequestAutoMerge"),
  );

describe("auto-merge by risk, through the App", () => {
  it("a low-risk staging plan gets auto-merge, and the packet says it is on and who can stop it", async () => {
    const harness = await app.start({ github: github(STAGING_LOW) });
    const pr = await proposal(harness, "storefront staging: p99 latency high under load, scale to 3");
    expect(harness.github.autoMerge.has(pr.number)).toBe(true);
    expect(enableRequests(harness).length).toBeGreaterThan(0);
    expect(pr.body).toMatch(/\*\*Auto-merge is on\*\* \(risk low/);
    expect(pr.body).toMatch(/Anyone with write access can stop it/);
    expect(harness.github.problems()).toEqual([]);
  });

  it("a medium-risk staging plan (a new image) does not", async () => {
    const harness = await app.start({ github: github(STAGING_LOW) });
    const pr = await proposal(harness, "storefront staging: hotfix, deploy image tag 2.6.1");
    expect(pr.body).toMatch(/medium/);
    expect(harness.github.autoMerge.has(pr.number)).toBe(false);
    expect(enableRequests(harness)).toEqual([]);
    expect(pr.body).not.toMatch(/Auto-merge is on/);
  });

  it("prod never gets it above low, even with max_risk: medium", async () => {
    const harness = await app.start({
      github: github("environments:\n  prod:\n    auto_merge: { max_risk: medium }\n"),
    });
    const pr = await proposal(harness, "storefront prod: p99 latency high under traffic spike, scale to 8");
    expect(harness.github.autoMerge.has(pr.number)).toBe(false);
    expect(enableRequests(harness)).toEqual([]);
  });

  it("not when the branch protection could not be read", async () => {
    const fake = github(STAGING_LOW);
    fake.rulesReadable = false;
    const harness = await app.start({ github: fake });
    const pr = await proposal(harness, "storefront staging: p99 latency high under load, scale to 3");
    expect(harness.github.autoMerge.has(pr.number)).toBe(false);
    expect(enableRequests(harness)).toEqual([]);
  });
});

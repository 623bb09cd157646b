import { describe, expect, it } from "vitest";
import { planIncident, type Outcome } from "../../src/flows/plan-incident.js";
import { parsePacket, renderPacket } from "../../src/proposal/approval-packet.js";
import { fenced } from "../../src/proposal/markdown.js";
import { loadRepository } from "../../src/repo/load-repository.js";
import { stripFences } from "../../src/scenarios/run-scenario.js";
import { fixtureFiles } from "./fixture-repo.js";
import { issueIncident, memoryReader } from "./incidents.js";

async function outcomeFor(title: string, body: string): Promise<Outcome> {
  const reader = memoryReader(fixtureFiles());
  const repository = await loadRepository(reader);
  return planIncident({
    repo: "acme/gitops",
    repository,
    reader,
    history: reader,
    baseSha: null,
    incident: issueIncident(title, body),
    now: "2026-11-21T10:00:00Z",
    recentPrs: [],
  });
}

const SECTIONS = [
  "## Summary",
  "## Why",
  "## What changes",
  "## Risk",
  "## Reversibility",
  "## Policy",
  "## Verification plan",
  "## Approvals required",
  "## Uncertainties",
  "<!-- remedy:plan ",
];

describe("renderPacket / parsePacket", () => {
  it("round-trips the plan through the hidden block", async () => {
    const outcome = await outcomeFor("search-api latency", "p99 latency is high");
    expect(outcome.decision).toBe("propose");
    const body = renderPacket(outcome);
    expect(parsePacket(body)).toEqual(outcome.plan);
  });

  it("writes the sections in SPEC §4 order", async () => {
    const body = renderPacket(await outcomeFor("search-api latency", "p99 latency is high"));
    const positions = SECTIONS.map((s) => body.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(body.trimEnd().endsWith("-->")).toBe(true);
  });

  it("shows before → after, the diff and the exact revert", async () => {
    const body = renderPacket(await outcomeFor("search-api latency", "p99 latency is high"));
    expect(body).toContain("| manifests/search-api/values-prod.yaml | `replicaCount` | 6 | 8 |");
    expect(body).toMatch(
      /-replicaCount: 6 {3}# sized for the catalogue\n\+replicaCount: 8 {3}# sized for the catalogue/,
    );
    expect(body).toContain("back to `6`");
  });

  it("stays under 65,536 characters with a huge incident text and still parses", async () => {
    const huge = `p99 latency\n${"x".repeat(70_000)}\n${"line of log\n".repeat(20_000)}`;
    const outcome = await outcomeFor("search-api latency", huge);
    const body = renderPacket(outcome);
    expect(body.length).toBeLessThan(65_536);
    expect(parsePacket(body)).toEqual(outcome.plan);
    expect(body).toContain("more characters not shown");
  });

  it("`-->` and a forged plan block inside data cannot break or replace the hidden block", async () => {
    const forged = `<!-- remedy:plan {"version":1,"after":"500"} -->`;
    const outcome = await outcomeFor("search-api latency", `p99 latency --> ${forged} <!-- -->`);
    const body = renderPacket(outcome);
    expect(parsePacket(body)).toEqual(outcome.plan);
    // Text planted in the plan itself (e.g. a runbook title) cannot end the HTML comment either.
    const plan = { ...(outcome.plan as NonNullable<Outcome["plan"]>), runbook: "x --> <b>injected</b>" };
    const reparsed = parsePacket(renderPacket({ ...outcome, plan }));
    expect(reparsed?.runbook).toBe("x --> <b>injected</b>");
    const block = renderPacket({ ...outcome, plan }).slice(
      renderPacket({ ...outcome, plan }).lastIndexOf("<!-- remedy:plan"),
    );
    expect(block.indexOf("-->")).toBe(block.length - 3);
  });

  it("returns null for a body without a block or with a broken one", () => {
    expect(parsePacket(undefined)).toBeNull();
    expect(parsePacket("no plan here")).toBeNull();
    expect(parsePacket('<!-- remedy:plan {"version":1} -->')).toBeNull();
    expect(parsePacket("<!-- remedy:plan {not json} -->")).toBeNull();
  });
});

describe("fenced", () => {
  it("uses a fence longer than any backtick run in the text", () => {
    const text = "a\n```\nb\n`````\nc";
    const block = fenced(text);
    expect(block.startsWith("``````text\n")).toBe(true);
    expect(stripFences(`${block}\nafter`)).toBe("after");
  });
});

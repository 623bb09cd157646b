import { describe, expect, it } from "vitest";
import { MATCH_THRESHOLD, matchRunbook } from "../../src/diagnosis/match-runbooks.js";
import { Runbook } from "../../src/diagnosis/runbook-schema.js";
import { alertIncident, issueIncident } from "./incidents.js";

const runbook = (
  id: string,
  action: "scale" | "rollback-image" | "set-image" | "escalate",
  match: Record<string, unknown>,
) => Runbook.parse({ id, title: id, match, action: { kind: action } });

const scale = runbook("scale-on-latency", "scale", {
  alertnames: ["HighLatency"],
  keywords: ["latency", "p99"],
  labels: { severity: "warning" },
});
const rollback = runbook("rollback-bad-deploy", "rollback-image", {
  alertnames: ["HighErrorRate"],
  keywords: ["error rate", "5xx"],
});

describe("matchRunbook", () => {
  it("an alert name decides, with reasons a reviewer can check", () => {
    const diagnosis = matchRunbook(alertIncident({ alertname: "HighLatency", severity: "warning" }), [
      rollback,
      scale,
    ]);
    expect(diagnosis.runbook?.id).toBe("scale-on-latency");
    expect(diagnosis.explanation).toBe(
      'Runbook scale-on-latency (score 12): alert name HighLatency, label severity="warning".',
    );
    expect(diagnosis.confidence).toBeGreaterThan(0);
  });

  it("one keyword reaches the threshold; nothing below it is acted on", () => {
    expect(MATCH_THRESHOLD).toBe(3);
    expect(matchRunbook(issueIncident("search-api latency"), [scale]).runbook?.id).toBe("scale-on-latency");
    const none = matchRunbook(issueIncident("search-api feels odd"), [scale, rollback]);
    expect(none.runbook).toBeNull();
    expect(none.confidence).toBe(0);
    expect(none.explanation).toMatch(/^No runbook matches well enough \(best: .* with 0, needed 3\)\./);
  });

  it("a label that contradicts the runbook's matcher disqualifies it, whatever else matched", () => {
    const diagnosis = matchRunbook(
      alertIncident({ alertname: "HighLatency", severity: "critical" }, "p99 latency"),
      [scale],
    );
    expect(diagnosis.runbook).toBeNull();
    expect(diagnosis.candidates[0]).toMatchObject({
      score: 0,
      reasons: ['label severity="critical" is not "warning"'],
    });
  });

  it("a label the signal does not carry neither helps nor hurts", () => {
    expect(matchRunbook(alertIncident({ alertname: "HighLatency" }), [scale]).candidates[0]?.score).toBe(10);
  });

  it("a tie between different actions is left to a human", () => {
    const a = runbook("a-scale", "scale", { keywords: ["checkout slow"] });
    const b = runbook("b-rollback", "rollback-image", { keywords: ["checkout slow"] });
    const diagnosis = matchRunbook(issueIncident("checkout slow"), [b, a]);
    expect(diagnosis.runbook).toBeNull();
    expect(diagnosis.explanation).toContain(
      "Two runbooks with different actions match equally (a-scale and b-rollback, 3 each)",
    );
  });

  it("a tie between runbooks with the same action picks the first id deterministically", () => {
    const a = runbook("a-scale", "scale", { keywords: ["checkout slow"] });
    const b = runbook("b-scale", "scale", { keywords: ["checkout slow"] });
    expect(matchRunbook(issueIncident("checkout slow"), [b, a]).runbook?.id).toBe("a-scale");
  });

  it("the explanation lists close candidates", () => {
    const diagnosis = matchRunbook(issueIncident("p99 latency and error rate up", ""), [scale, rollback]);
    expect(diagnosis.runbook?.id).toBe("scale-on-latency");
    expect(diagnosis.explanation).toMatch(/Close: rollback-bad-deploy \(3\)\./);
  });

  it("keywords match as words, not substrings", () => {
    const deploy = runbook("deploy-image", "set-image", { keywords: ["deploy"] });
    expect(matchRunbook(issueIncident("redeployment-tool broke"), [deploy]).runbook).toBeNull();
  });
});

/**
 * What a real Alertmanager showed (issue #16 item 6), through the alert route: an alert naming its
 * service by the `deployment` label and an alias, and its environment by an alias, gets an incident
 * title and a PR in the configured names; the packet's verification plan shows rendered queries, not
 * `{{service}}`; a re-fire keeps the proposal comment whole instead of shortening it to a bare link.
 */
import { describe, expect, it } from "vitest";
import { useRemedyApp } from "./app-test.js";
import { OWNER, REPO } from "./fake-github.js";
import { ALERT_TOKEN, firingAlert } from "./harness.js";

const app = useRemedyApp();

describe("alert names and re-fires, through the alert route", () => {
  it("deployment: basket, environment: production → cart (prod) everywhere; no raw template; a re-fire keeps the proposal comment", async () => {
    const h = await app.start();
    const url = await h.listen();
    const post = async (body: unknown) => {
      const response = await fetch(`${url}/alerts/${OWNER}/${REPO}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ALERT_TOKEN}` },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(202);
      await h.runtime.idle();
    };
    const alert = firingAlert();
    const labels = {
      alertname: "HighLatency",
      deployment: "basket",
      environment: "production",
      severity: "warning",
    };
    alert.commonLabels = labels;
    const alerts = alert.alerts as Array<Record<string, unknown>>;
    for (const a of alerts) a.labels = labels;
    await post(alert);

    const issue = [...h.github.issues.values()].find((i) => i.pull === undefined);
    const pr = h.github.pulls()[0];
    if (issue === undefined || pr === undefined) throw new Error("no incident issue or PR");
    expect(issue.title).toBe("[incident] HighLatency on cart (prod)");
    expect(pr.title).toBe("scale cart in prod: 4 → 6 replicas");
    const visible = pr.body.slice(0, pr.body.indexOf("<!-- remedy:plan"));
    expect(visible).toContain("## Verification plan");
    expect(visible).not.toContain("{{");

    const proposal = () =>
      h.github.commentsOn(issue.number).find((c) => c.body.startsWith("<!-- remedy:proposal -->"));
    const first = proposal()?.body ?? "";
    expect(first).toContain(`pull/${pr.number} to scale cart in prod: 4 → 6 replicas`);
    await post({ ...alert, alerts: alerts.map((a) => ({ ...a, startsAt: "2026-03-02T10:30:00Z" })) });
    expect(h.github.pulls()).toHaveLength(1);
    expect(proposal()?.body).toBe(first);
  });
});

/**
 * What the App tests need for a verification that fails within a second or two: a local Prometheus
 * (node:http on 127.0.0.1, port 0) whose every instant query answers 0.9, and the example repository
 * pointed at it with `scale-on-saturation` verifying latency only (max 0.4), every second.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeGitHub, exampleRepository } from "./fake-github.js";
import type { Harness } from "./harness.js";

/** Starts the Prometheus; returns its URL and how to stop it. */
export async function badPrometheus(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          status: "success",
          data: { resultType: "vector", result: [{ metric: {}, value: [Date.now() / 1000, "0.9"] }] },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The example repository's files, verifying latency only, fast, against `prometheus`. */
export function failingVerificationFiles(prometheus: string): Record<string, string> {
  const files = exampleRepository();
  files[".github/remedy.yml"] = (files[".github/remedy.yml"] ?? "").replace(
    /^environments:/m,
    `health:\n  prometheus: ${prometheus}\n\nenvironments:`,
  );
  const runbook = files["runbooks/scale-on-saturation.yaml"] ?? "";
  files["runbooks/scale-on-saturation.yaml"] = runbook.replace(
    /^verify:[\s\S]*$/m,
    [
      "verify:",
      "  interval: 1s",
      "  soak: 1s",
      "  failure_threshold: 1",
      "  deadline: 30s",
      "  checks:",
      "    - name: latency_p99",
      "      query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service=\"{{service}}\"}[5m])))'",
      "      max: 0.4",
      "",
    ].join("\n"),
  );
  return files;
}

export function failingVerificationRepository(prometheus: string): FakeGitHub {
  return new FakeGitHub(failingVerificationFiles(prometheus));
}

export function ledgerKinds(h: Harness): string[] {
  return (h.github.file("ledger.jsonl", "remedy-audit") ?? "")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => (JSON.parse(line) as { kind: string }).kind);
}

/** Waits (polling) for what the verification scheduler does on its own timers, then for idle. */
export async function until(h: Harness, what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await h.runtime.idle();
}

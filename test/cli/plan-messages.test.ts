import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runCli } from "./run-cli.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "remedy-plan-msg-"));
  for (const part of [".github", "manifests", "policies", "runbooks"])
    await cp(join(ROOT, part), join(dir, part), { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("remedy plan says what is wrong (bin/remedy.js as a process)", () => {
  it("names a --repo directory that does not exist", async () => {
    const run = await runCli(["plan", "--repo", "./nope", "--signal", "examples/alert-high-latency.json"]);
    expect(run.code).toBe(2);
    expect(run.err).toContain("--repo ./nope: the directory does not exist");
    expect(run.err).not.toContain("remedy.yml");
  });

  it("names the runbook, the field and the choices when action.kind is missing", async () => {
    const broken = await mkdtemp(join(tmpdir(), "remedy-plan-kind-"));
    try {
      await cp(dir, broken, { recursive: true });
      await writeFile(join(broken, "runbooks", "x.yaml"), "id: x\ntitle: X\naction: { replicas: 3 }\n");
      const run = await runCli(["plan", "--repo", broken, "--signal", "examples/alert-high-latency.json"]);
      expect(run.code).toBe(2);
      expect(run.err).toContain(
        "runbooks/x.yaml:3: action.kind is required: one of scale, set-image, rollback-image, restart, escalate",
      );
      expect(run.err).not.toMatch(/discriminator/i);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });

  it("says the configured Prometheus was not queried offline, and how to query it", async () => {
    const run = await runCli([
      "plan",
      "--repo",
      ".",
      "--signal",
      "examples/alert-high-latency.json",
      "--now",
      "2026-11-21T10:00:00Z",
    ]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(
      /Prometheus configured at http:\/\/\S+ but not queried offline \(use --prometheus URL to query it\)/,
    );
    expect(run.out).not.toContain("no Prometheus configured");
  });

  it("queries the Prometheus named by --prometheus for the evidence", async () => {
    const queries: string[] = [];
    const server: Server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        queries.push(url.searchParams.get("query") ?? new URLSearchParams(body).get("query") ?? "");
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            status: "success",
            data: { resultType: "vector", result: [{ metric: {}, value: [1700000000, "0.731"] }] },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const run = await runCli([
        "plan",
        "--repo",
        dir,
        "--signal",
        join(ROOT, "examples/alert-high-latency.json"),
        "--prometheus",
        url,
      ]);
      expect(run.code).toBe(0);
      expect(queries.some((q) => q.includes('service="cart"'))).toBe(true);
      expect(run.out).toContain("0.731");
      expect(run.out).not.toContain("not queried offline");
    } finally {
      server.close();
    }
  });

  it("says an issue file without author_permission is treated as written by a writer", async () => {
    const issue = join(dir, "issue.yaml");
    await writeFile(issue, "title: Deploy storefront 2.8.1 to staging\nbody: please\n");
    const run = await runCli(["plan", "--repo", dir, "--signal", issue]);
    expect(run.code).toBe(0);
    expect(run.out).toContain(
      "has no author_permission, so the issue is treated as written by someone with write permission",
    );
    const explicit = join(dir, "issue-reader.yaml");
    await writeFile(
      explicit,
      "title: Deploy storefront 2.8.1 to staging\nbody: please\nauthor_permission: read\n",
    );
    const reader = await runCli(["plan", "--repo", dir, "--signal", explicit]);
    expect(reader.out).not.toContain("has no author_permission");
    expect(reader.out).toContain("Decision: none");
  });
});

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../cli/run-cli.js";

/**
 * The README's "Install it as a GitHub App" against what it describes: the events it lists are the
 * ones app.yml subscribes to, and local development through a webhook proxy is documented and works
 * without fetching anything (Probot loads `smee-client` from the project's own dependencies).
 */

const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

function installSection(): string {
  const readme = read("README.md");
  const start = readme.indexOf("## Install it as a GitHub App");
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end);
}

describe("README: installing the App", () => {
  it("lists exactly the events app.yml subscribes to", () => {
    const manifest = parse(read("app.yml")) as { default_events: string[] };
    const listed = /events ((?:`[a-z_]+`,?\s*)+);/.exec(installSection().replace(/\n\s*/g, " "));
    expect(listed, "the README's event list").not.toBeNull();
    const events = [...(listed?.[1] ?? "").matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
    expect(events.sort()).toEqual([...manifest.default_events].sort());
  });

  it("documents WEBHOOK_PROXY_URL, the name Probot reads, and that /alerts is off in setup mode", () => {
    const section = installSection();
    expect(read("node_modules/probot/lib/bin/read-env-options.js")).toContain("env.WEBHOOK_PROXY_URL");
    expect(section).toMatch(/\| `WEBHOOK_PROXY_URL` +\|/);
    expect(section).toContain("smee-client");
    expect(section).toMatch(/`\/alerts` endpoint is off/);
    expect(read(".env.example")).toContain("WEBHOOK_PROXY_URL=");
  });

  it("depends on the smee-client version Probot imports, so a proxy needs no download at run time", () => {
    const probot = read("node_modules/probot/lib/helpers/webhook-proxy.js");
    const wanted = /npxImport\("smee-client@([0-9.]+)"/.exec(probot)?.[1];
    const pkg = JSON.parse(read("package.json")) as { dependencies: Record<string, string> };
    expect(wanted).toBeDefined();
    expect(pkg.dependencies["smee-client"]).toBe(wanted);
    expect(existsSync(join(ROOT, "node_modules/smee-client/package.json"))).toBe(true);
  });

  it("says .ci/run runs exactly the README's test command, and it does", () => {
    const readme = read("README.md");
    const test = /^(npm ci && npm test)\s+#/m.exec(readme)?.[1];
    expect(test).toBe("npm ci && npm test");
    const commands = read(".ci/run")
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("#") && !/^(set|cd) /.test(l));
    expect(commands).toEqual([test]);
  });

  it("shows the yaml-language-server hint the example files and schemas' $id carry", () => {
    const readme = read("README.md");
    for (const [file, schema] of [
      [".github/remedy.yml", "remedy-config"],
      ["runbooks/scale-on-saturation.yaml", "runbook"],
      ["policies/00-defaults.yaml", "policy"],
    ] as const) {
      const hint = read(file).split("\n")[0] ?? "";
      expect(hint).toBe(`# yaml-language-server: $schema=../schemas/${schema}.schema.json`);
      expect(readme).toContain(hint);
      const id = (JSON.parse(read(`schemas/${schema}.schema.json`)) as { $id: string }).$id;
      expect(readme).toContain(id.replace(`${schema}.schema.json`, "<name>.schema.json"));
    }
  });
});

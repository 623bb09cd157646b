import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The `no-restricted-imports` messages ESLint reports for `code` as if it were the file at `path`. */
async function layerErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  if (result === undefined) throw new Error(`ESLint returned no result for ${path}`);
  return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("ESLint keeps the layers of ARCHITECTURE.md", () => {
  it("refuses a domain importing a flow", async () => {
    const errors = await layerErrors(
      "src/diagnosis/probe.ts",
      'import type { FlowDeps } from "../flows/deps.js";\nexport type Probe = FlowDeps;\n',
    );
    expect(errors).toEqual([expect.stringContaining("a domain or adapter never imports a flow")]);
  });

  it.each([
    ["src/verification/probe.ts", "../adapters/prometheus/prometheus-health-source.js"],
    ["src/policy/probe.ts", "../forge/github/github-forge.js"],
    ["src/signals/probe.ts", "../app/remedy-runtime.js"],
    ["src/audit/probe.ts", "../cli/main.js"],
    ["src/manifests/deep/probe.ts", "../../flows/plan-incident.js"],
    ["src/audit/probe.ts", "node:child_process"],
    ["src/config/probe.ts", "node:fs"],
    ["src/config/probe.ts", "node:fs/promises"],
    ["src/proposal/probe.ts", "node:https"],
    ["src/text/probe.ts", "openai"],
    ["src/diagnosis/probe.ts", "@octokit/rest"],
    ["src/signals/probe.ts", "probot"],
    ["src/onboarding/probe.ts", "../flows/onboard-repository.js"],
    ["src/notify/probe.ts", "node:https"],
  ])("refuses %s importing %s", async (path, from) => {
    const errors = await layerErrors(path, `import * as probe from "${from}";\nexport { probe };\n`);
    expect(errors).toHaveLength(1);
  });

  it("refuses a flow importing an adapter, and an adapter importing a flow or the app", async () => {
    expect(
      await layerErrors(
        "src/flows/probe.ts",
        'import * as probe from "../adapters/github/github-forge.js";\nexport { probe };\n',
      ),
    ).toEqual([expect.stringContaining("Adapters are wired in src/app/ or src/cli/")]);
    expect(
      await layerErrors(
        "src/adapters/git/probe.ts",
        'import * as probe from "../../flows/deps.js";\nexport { probe };\n',
      ),
    ).toHaveLength(1);
    expect(
      await layerErrors(
        "src/adapters/github/probe.ts",
        'import * as probe from "../../app/remedy-runtime.js";\nexport { probe };\n',
      ),
    ).toHaveLength(1);
  });

  it("lets a domain import another domain and node:crypto, and an adapter import octokit", async () => {
    expect(
      await layerErrors(
        "src/verification/probe.ts",
        'import { createHash } from "node:crypto";\nimport type { Plan } from "../proposal/plan.js";\n' +
          "export type Probe = Plan;\nexport const probe = createHash;\n",
      ),
    ).toEqual([]);
    expect(
      await layerErrors(
        "src/adapters/github/probe.ts",
        'import type { Octokit } from "@octokit/core";\nimport type { Forge } from "../../forge/forge.js";\n' +
          "export type Probe = [Octokit, Forge];\n",
      ),
    ).toEqual([]);
  });
});

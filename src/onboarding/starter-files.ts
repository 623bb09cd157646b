import type { FoundWorkload } from "./find-workloads.js";

export const STARTER_RUNBOOK_PATH = "runbooks/scale-on-saturation.yaml";
export const STARTER_POLICY_PATH = "policies/00-remedy-starter.yaml";
export const STARTER_CONFIG_PATH = ".github/remedy.yml";

export interface StarterFiles {
  /** Repository path → text, in the order they are written. */
  files: Array<{ path: string; text: string }>;
  /** The services configured, with their environments. */
  services: Record<string, FoundWorkload[]>;
  /** Workloads left out, and why (a second file for the same service and environment). */
  skipped: Array<{ workload: FoundWorkload; reason: string }>;
  /** What a person must review before switching Remedy from dry-run to propose. */
  review: string[];
}

/**
 * The starter `.github/remedy.yml`, one runbook and one policy for what `findWorkloads` found, with
 * safe defaults: `mode: dry-run` (plans are posted as comments until a person switches to
 * propose), scale only within small bounds with one approval, image rollbacks with one approval,
 * new tags not allowed. Pure; the caller validates and writes.
 */
export function starterFiles(found: FoundWorkload[]): StarterFiles {
  const services: Record<string, FoundWorkload[]> = {};
  const skipped: StarterFiles["skipped"] = [];
  for (const workload of found) {
    const list = (services[workload.service] ??= []);
    const same = list.find((w) => w.environment === workload.environment);
    if (same !== undefined) {
      skipped.push({
        workload,
        reason: `${workload.service} in ${workload.environment} is already ${same.file}; configure it by hand if this file is the one`,
      });
      continue;
    }
    list.push(workload);
  }
  const environments = [...new Set(found.map((w) => w.environment))].sort();
  return {
    files: [
      { path: STARTER_CONFIG_PATH, text: configText(services) },
      { path: STARTER_RUNBOOK_PATH, text: RUNBOOK },
      { path: STARTER_POLICY_PATH, text: policyText(environments, services) },
    ],
    services,
    skipped,
    review: [
      "each service's `owners` (empty: nobody is requested as a reviewer) and `aliases`",
      `${STARTER_POLICY_PATH}: the replica bounds, approvals and reviewers per environment`,
      "health.prometheus, so verification can check more than the rollout",
      "`mode: dry-run`: once the posted plans look right, set `mode: propose` to get pull requests",
    ],
  };
}

function configText(services: Record<string, FoundWorkload[]>): string {
  const lines = [
    "# yaml-language-server: $schema=https://remedy.dev/schemas/remedy-config.schema.json",
    "# Written by `remedy init`. Remedy may only ever edit the files listed under `services`, one field",
    "# (replicas or the image tag) per pull request. Review the owners, then switch mode to propose.",
    "mode: dry-run # post plans as comments on incident issues; set to propose to get pull requests",
    "runbooks: runbooks/",
    "policies: policies/",
    "",
  ];
  if (Object.keys(services).length === 0)
    lines.push("services: {} # nothing found: add your services by hand");
  else lines.push("services:");
  for (const [service, workloads] of Object.entries(services)) {
    lines.push(
      `  ${service}:`,
      '    owners: [] # users or teams requested as reviewers, e.g. ["@org/team"]',
      "    environments:",
    );
    for (const w of workloads) {
      lines.push(`      ${w.environment}:`, `        kind: ${w.kind}`, `        file: ${quote(w.file)}`);
      if (w.kind === "kustomize") lines.push(`        workload: ${quote(w.workload)}`);
      if (w.image !== undefined) lines.push(`        image: ${quote(w.image)}`);
      if (w.kind === "helm" && w.replicasKey !== "replicaCount")
        lines.push(`        replicas_key: ${w.replicasKey}`);
      if (w.kind === "helm" && w.tagKey !== "image.tag") lines.push(`        tag_key: ${w.tagKey}`);
      for (const note of w.notes) lines.push(`        # review: ${oneLine(note)}`);
    }
  }
  lines.push(
    "",
    "environments:",
    "  prod: { aliases: [production, prd, live] }",
    "  staging: { aliases: [stage, stg] }",
    "",
  );
  return lines.join("\n");
}

function policyText(environments: string[], services: Record<string, FoundWorkload[]>): string {
  const lines = [
    "# yaml-language-server: $schema=https://remedy.dev/schemas/policy.schema.json",
    "# Written by `remedy init`: conservative bounds. Anything not allowed here is denied; a value outside",
    "# a bound is denied, never clamped. New image tags (set-image) are off until you list registries.",
    "environments:",
  ];
  if (environments.length === 0) lines.push("  {}");
  for (const env of environments) {
    const counts = Object.values(services)
      .flat()
      .filter((w) => w.environment === env && w.replicas !== null)
      .map((w) => Number(w.replicas));
    const highest = counts.length === 0 ? 2 : Math.max(...counts);
    const prod = env === "prod";
    const min = prod ? Math.max(1, Math.min(2, ...counts)) : 1;
    lines.push(
      `  ${env}:`,
      "    actions:",
      `      scale: { allow: true, min_replicas: ${min}, max_replicas: ${Math.max(highest * 2, 4)}, max_step: 2, approvals: ${prod ? 1 : 0} }`,
      `      rollback-image: { allow: true, approvals: ${prod ? 1 : 0} }`,
      "      set-image: { allow: false }",
    );
    if (prod) lines.push("    rate_limit: { prs_per_service_per_hour: 2 }");
  }
  lines.push(
    "",
    "# These signals never get a pull request: a human must act.",
    "escalate:",
    "  labels: { severity: page-human }",
    '  keywords: ["data loss", "drop table", "delete the database", "security breach", "credentials leaked"]',
    "",
  );
  return lines.join("\n");
}

const RUNBOOK = `# yaml-language-server: $schema=https://remedy.dev/schemas/runbook.schema.json
# Written by \`remedy init\`: latency or saturation under load adds one replica (a count named by a
# person with write permission, "scale to 6", wins). Add your alert names under match.alertnames.
id: scale-on-saturation
title: Add a replica when latency or saturation rises under load
match:
  keywords: ["latency", "slow", "saturation", "cpu throttling", "scale up", "more replicas", "capacity"]
action:
  kind: scale
  replicas: "+1"
verify:
  interval: 30s
  soak: 5m
  failure_threshold: 2
  max_errors: 3
  deadline: 10m
  checks:
    - name: rollout
`;

/** A YAML scalar for a path or name: plain when safe, double-quoted otherwise. */
function quote(value: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(value) && !/^(true|false|null|yes|no|on|off|~|[0-9.]+)$/i.test(value)
    ? value
    : JSON.stringify(value);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").slice(0, 200);
}

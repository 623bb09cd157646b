import type { PullRequest } from "../forge/forge.js";
import { readField, type Field } from "../manifests/index.js";
import { personPlan } from "../proposal/person-plan.js";
import { manifestTarget } from "../proposal/planned-change.js";
import type { Plan } from "../proposal/plan.js";
import { loadRepository, type Repository } from "../repo/load-repository.js";
import { incidentKey } from "../signals/incident.js";
import type { FlowDeps } from "./deps.js";
import { ownPlan } from "./own-plan.js";
import { planAtMerge } from "./plan-at-merge.js";
import { repoAt } from "./repo-at.js";

/**
 * The plan behind a PR: Remedy's own from its hidden block, when Remedy can vouch for it (see
 * ownPlan); a person's from the one configured field it changed (so `/dry-run` and `/rollback` work on
 * human PRs too). A block in a person's PR is ignored: only the files they changed count.
 */
export async function planFromPullRequest(
  deps: FlowDeps,
  pr: PullRequest,
): Promise<{ plan: Plan } | { problem: string }> {
  const own = await ownPlan(deps, pr);
  if (own.status === "own")
    return {
      plan:
        pr.merged && pr.mergeSha !== null ? (await planAtMerge(deps, own.plan, pr.mergeSha)).plan : own.plan,
    };
  if (own.status === "tampered") return { problem: `Remedy cannot vouch for this PR's plan: ${own.why}.` };
  const { forge } = deps;
  const base = await forge.defaultBranch();
  const baseSha = await forge.branchHead(base);
  if (baseSha === null) return { problem: "the base branch has no commits" };
  const repository = await loadRepository(repoAt(forge, baseSha)).catch((error: Error) => error);
  if (repository instanceof Error) return { problem: repository.message };
  const changes = await changedFields(deps, pr, repository, baseSha);
  if (changes.length === 0)
    return {
      problem: "it changes no replicas or image field of a service configured in .github/remedy.yml.",
    };
  if (changes.length > 1)
    return {
      problem: `it changes ${changes.length} configured fields (${changes.map((c) => `${c.field} of ${c.service} in ${c.environment}`).join(", ")}); Remedy only handles single-field changes.`,
    };
  return { plan: changes[0] as Plan };
}

/** Every configured replicas or image field the PR changes, each as the plan of that one change. */
async function changedFields(
  deps: FlowDeps,
  pr: PullRequest,
  repository: Repository,
  baseSha: string,
): Promise<Plan[]> {
  const { forge } = deps;
  const files = new Set(await forge.pullRequestFiles(pr.number));
  const changes: Plan[] = [];
  for (const [service, config] of Object.entries(repository.config.services)) {
    for (const [environment, targetConfig] of Object.entries(config.environments)) {
      if (!files.has(targetConfig.file)) continue;
      const target = manifestTarget(service, targetConfig);
      const [beforeText, afterText] = await versionsOf(deps, pr, target.file, baseSha);
      if (beforeText === null || afterText === null) continue;
      for (const field of ["replicas", "image"] as const satisfies readonly Field[]) {
        const before = readField(beforeText, target, field);
        const after = readField(afterText, target, field);
        if (!before.ok || !after.ok || before.value === after.value) continue;
        const change = {
          repo: forge.repo,
          incidentKey: incidentKey(forge.repo, "pr", String(pr.number)),
          createdAt: pr.createdAt,
          service,
          environment,
          owners: config.owners,
          target,
          config: targetConfig,
          field,
          before: before.value,
          after,
        };
        changes.push(personPlan(change, repository.policy));
      }
    }
  }
  return changes;
}

/** The file before and after the PR: around the merge commit once merged, base vs head while open. */
async function versionsOf(
  deps: FlowDeps,
  pr: PullRequest,
  path: string,
  baseSha: string,
): Promise<[string | null, string | null]> {
  if (pr.merged && pr.mergeSha !== null) {
    const [atMerge, previous] = await deps.forge.fileHistory(path, 2, pr.mergeSha);
    if (atMerge === undefined || atMerge.sha !== pr.mergeSha) return [null, null];
    return [previous?.content ?? null, atMerge.content];
  }
  return [await deps.forge.readFile(path, baseSha), await deps.forge.readFile(path, pr.head)];
}

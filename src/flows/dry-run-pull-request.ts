import { readField } from "../manifests/index.js";
import { evaluatePolicy } from "../policy/evaluate-policy.js";
import { renderPolicy, renderVerificationPlan } from "../proposal/approval-packet.js";
import { table } from "../proposal/markdown.js";
import { loadRepository } from "../repo/load-repository.js";
import type { FlowDeps } from "./deps.js";
import { describeChange } from "./plan-incident.js";
import { planFromPullRequest } from "./plan-from-pull-request.js";
import { rateWindowStart, recentRemedyPrs } from "./recent-remedy-prs.js";
import { repoAt } from "./repo-at.js";

const MARKER = "<!-- remedy:pr-dry-run -->";

/** `/dry-run` on a PR: the change found, the policy decision against the current base, the checks. No writes but the reply. */
export async function dryRunPullRequest(deps: FlowDeps, number: number): Promise<void> {
  const { forge } = deps;
  const pr = await forge.getPullRequest(number);
  if (pr === null) return;
  const found = await planFromPullRequest(deps, pr);
  if ("problem" in found) {
    await forge.upsertComment(
      number,
      MARKER,
      `${MARKER}\n### Remedy dry run\nNothing to evaluate: ${found.problem}`,
    );
    return;
  }
  const { plan } = found;
  const base = await forge.defaultBranch();
  const baseSha = (await forge.branchHead(base)) as string;
  const repository = await loadRepository(repoAt(forge, baseSha));
  const text = await forge.readFile(plan.target.file, baseSha);
  const current = text === null ? null : readField(text, plan.target, plan.field);
  const drift =
    current?.ok && current.value !== plan.before && !pr.merged
      ? `\n\n⚠️ The base now has ${plan.field} \`${current.value}\`, not \`${plan.before}\` as this PR assumed.`
      : "";
  const recentPrs = recentRemedyPrs(
    await forge.listRemedyPullRequests(rateWindowStart(deps.now())),
    deps.now(),
    number,
  );
  const policy = evaluatePolicy(
    repository.policy,
    {
      service: plan.service,
      environment: plan.environment,
      action: plan.action,
      field: plan.field,
      before: plan.before,
      after: plan.after,
      ...(plan.target.image === undefined ? {} : { imageRepository: plan.target.image }),
      ...(plan.reverts === undefined ? {} : { revert: true }),
    },
    repository.config.services[plan.service]?.owners ?? [],
    { now: deps.now(), recentPrs },
  );
  const body = [
    MARKER,
    `### Remedy dry run for #${number}`,
    `Change: ${describeChange(plan)}.${drift}`,
    table(["file", "field", "before", "after"], [[plan.target.file, plan.field, plan.before, plan.after]]),
    `#### Policy (against the current base)\n${renderPolicy(policy)}`,
    `#### Verification plan\n${renderVerificationPlan(plan)}`,
    "Nothing was written.",
  ].join("\n\n");
  await forge.upsertComment(number, MARKER, body);
}

import { parseYamlData } from "../config/parse-with-schema.js";
import type { Runbook } from "../diagnosis/runbook-schema.js";
import {
  editField,
  findHpa,
  readField,
  readReplicasFallback,
  unifiedDiff,
  yaml11NumberTag,
  type FieldValue,
  type ManifestTarget,
} from "../manifests/index.js";
import { computeReplicas } from "../proposal/compute-replicas.js";
import type { PlanAction } from "../proposal/plan.js";
import type { PlannedChange } from "../proposal/planned-change.js";
import type { FileVersion, RepoReader } from "../repo/repo-reader.js";
import { requestedValues, type RequestedValues } from "../signals/requested-values.js";
import type { Incident } from "../signals/incident.js";

/** What a change is planned from: the repository at the base, the incident, the time. */
export interface ChangeInput {
  reader: RepoReader;
  incident: Incident;
  now: string;
}

type Refusal = { refusal: string; nothingToDo?: boolean };
type ValueField = "replicas" | "image";

/** The one field edit a runbook's action makes to the workload's file on the base, or why not. */
export async function planChange(
  input: ChangeInput,
  action: PlanAction,
  runbook: Runbook,
  target: ManifestTarget,
  versions: readonly FileVersion[],
): Promise<PlannedChange | Refusal> {
  const text = await input.reader.readFile(target.file);
  if (text === null)
    return {
      refusal: `${target.file} does not exist on the base branch; fix the file path in .github/remedy.yml`,
    };
  if (action === "restart") return planRestart(input, target, text);
  const requested = requestedValues(input.incident.trustedText);
  const field = action === "scale" ? "replicas" : "image";
  // Only the value this action takes matters: "4.2.0 replaced 4.1.3, please scale up" names no replica count.
  const conflict =
    action === "scale"
      ? requested.conflicts.replicas
      : action === "set-image"
        ? requested.conflicts.tag
        : undefined;
  if (conflict !== undefined) return { refusal: `the request names ${conflict}; name one value` };
  const current = await readCurrentValue(input.reader, target, field, text);
  if ("refusal" in current) return current;
  const { uncertainties } = current;
  const after = chooseValue(action, runbook, requested, { target, versions, current: current.value });
  if ("refusal" in after) return after;
  uncertainties.push(...after.uncertainties);
  if (after.value === current.value.value)
    return {
      refusal: `${target.file} already has ${field} ${after.value}: nothing to change`,
      nothingToDo: true,
    };
  const edited = editedFile(target, field, text, after.value);
  if ("refusal" in edited) return edited;
  return {
    action,
    field,
    form: current.value.form,
    before: current.value.value,
    after: after.value,
    ...(field === "image" ? imageRepositoryOf(text, target) : {}),
    edit: edited,
    uncertainties,
  };
}

/**
 * The field's value on the base, with what Remedy could not be sure of while reading it: an
 * autoscaler it could not look for, a count taken from the base manifests, a tag YAML 1.1 misreads.
 */
async function readCurrentValue(
  reader: RepoReader,
  target: ManifestTarget,
  field: ValueField,
  text: string,
): Promise<{ value: FieldValue; uncertainties: string[] } | Refusal> {
  const uncertainties: string[] = [];
  if (field === "replicas") {
    const hpa = await findHpa(target, (path) => reader.readFile(path));
    if (hpa.managed)
      return {
        refusal: `replicas of ${target.workload} are managed by a HorizontalPodAutoscaler (${hpa.reason ?? "HPA found"}); editing them would fight the HPA. Change the HPA's bounds instead`,
      };
    // Remote or unreadable Kustomize resources (and bases): an autoscaler there would not be seen.
    if (hpa.unchecked !== undefined) uncertainties.push(...hpa.unchecked);
    else if (hpa.reason !== undefined) uncertainties.push(`Autoscaling ${hpa.reason}.`);
  }
  let current = readField(text, target, field);
  if (!current.ok && current.code === "missing" && field === "replicas" && target.kind === "kustomize") {
    const fallback = await readReplicasFallback(target, (path) => reader.readFile(path));
    if (fallback !== null) {
      current = { ok: true, value: String(fallback), form: "count", line: 0 };
      uncertainties.push(
        `${target.file} has no replicas entry for ${target.workload}; the current count ${fallback} comes from the base manifests and the PR adds the entry.`,
      );
    }
  }
  if (!current.ok) return { refusal: current.reason };
  if (field === "image") {
    const plain = yaml11NumberTag(text, target);
    if (plain !== null)
      uncertainties.push(
        `The tag ${plain} in ${target.file} is written unquoted; a YAML 1.1 reader (some Helm tooling and linters) would read it as the number ${Number(plain.replace(/_/g, ""))}. Quote it to be sure.`,
      );
  }
  return { value: current, uncertainties };
}

/** The new value: the count a person named or the runbook's rule, the tag a writer named, or the previous tag. */
function chooseValue(
  action: Exclude<PlanAction, "restart">,
  runbook: Runbook,
  requested: RequestedValues,
  at: { target: ManifestTarget; versions: readonly FileVersion[]; current: FieldValue },
): { value: string; uncertainties: string[] } | Refusal {
  if (action === "scale") {
    const before = Number(at.current.value);
    const rule = runbook.action.kind === "scale" ? runbook.action.replicas : "+2";
    const replicas = requested.replicas;
    const count =
      replicas === undefined
        ? computeReplicas(before, rule)
        : replicas.kind === "absolute"
          ? replicas.count
          : before + replicas.delta;
    return { value: String(count), uncertainties: [] };
  }
  if (action === "set-image") {
    if (requested.tag === undefined)
      return {
        refusal:
          'no image tag was named by someone with write permission (write e.g. "deploy 1.4.3" in the issue or a /propose comment)',
      };
    return { value: requested.tag, uncertainties: [] };
  }
  const previous = previousValue(at.versions, at.target, at.current.value);
  if (previous === null)
    return {
      refusal: `no earlier, different image tag of ${at.target.workload} in the history of ${at.target.file}; nothing to roll back to`,
    };
  return {
    value: previous.value,
    uncertainties: [
      `Rolling back to ${previous.value}, last deployed in commit ${previous.sha.slice(0, 12)} (${previous.message.split("\n")[0] ?? ""}).`,
    ],
  };
}

function editedFile(
  target: ManifestTarget,
  field: PlannedChange["field"],
  text: string,
  after: string,
): PlannedChange["edit"] | Refusal {
  const edited = editField(text, target, field, after);
  if (!edited.ok) return { refusal: edited.reason };
  return {
    path: target.file,
    before: text,
    after: edited.text,
    diff: unifiedDiff(target.file, text, edited.text),
  };
}

/**
 * A rolling restart sets the pod-template annotation to the signal's time: a new value on every
 * restart, so the pod template changes and the workload rolls. Nothing in the signal chooses it.
 */
function planRestart(input: ChangeInput, target: ManifestTarget, text: string): PlannedChange | Refusal {
  const current = readField(text, target, "restart");
  if (!current.ok) return { refusal: current.reason };
  const before = current.value;
  let after = new Date(Date.parse(input.incident.startsAt ?? input.now))
    .toISOString()
    .replace(/\.000Z$/, "Z");
  // The same instant twice (a redelivery re-planned after a merge) must still roll the pods.
  if (after === before) after = new Date(Date.parse(input.now)).toISOString().replace(/\.000Z$/, "Z");
  const edited = editedFile(target, "restart", text, after);
  if ("refusal" in edited) return edited;
  return {
    action: "restart",
    field: "restart",
    form: "timestamp",
    before,
    after,
    edit: edited,
    uncertainties: [
      `A restart replaces the pods of ${target.workload} without changing what they run; it helps when the cause is in the pods' state (a leak, a stuck connection), not in the code or the configuration.`,
    ],
  };
}

/** The newest earlier version of the file whose value differs from the current one. */
function previousValue(
  versions: readonly FileVersion[],
  target: ManifestTarget,
  current: string,
): { value: string; sha: string; message: string } | null {
  for (const version of versions) {
    if (version.content === null) continue;
    const read = readField(version.content, target, "image");
    if (read.ok && read.value !== current)
      return { value: read.value, sha: version.sha, message: version.message };
  }
  return null;
}

/** The image repository a new tag belongs to, for the policy's registry rule. */
function imageRepositoryOf(text: string, target: ManifestTarget): { imageRepository?: string } {
  if (target.kind === "kustomize") return target.image === undefined ? {} : { imageRepository: target.image };
  // Helm: the `repository` key beside the tag key (image.tag → image.repository), read as plain data.
  let node: unknown;
  try {
    node = parseYamlData(target.file, text);
  } catch {
    node = undefined;
  }
  for (const key of [...target.tagKey.split(".").slice(0, -1), "repository"]) {
    node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
  }
  if (typeof node === "string") return { imageRepository: node };
  return target.image === undefined ? {} : { imageRepository: target.image };
}

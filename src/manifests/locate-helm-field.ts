import { formatPath, lookup } from "./yaml.js";
import type { PathStep, YamlDoc } from "./yaml.js";
import { locatedCount, locatedPin } from "./located.js";
import type { Located } from "./located.js";
import { lookupRefusal, refuse } from "./refusal.js";
import type { Field, ManifestTarget } from "./types.js";

const KEY_HINT =
  "Check replicas_key / tag_key in .github/remedy.yml, or add the key to the values file by hand.";

/** Finds a Helm values field by its dotted key; never creates keys (a typo must not add a new one). */
export function locateHelmField(text: string, ydoc: YamlDoc, target: ManifestTarget, field: Field): Located {
  const file = target.file;
  const key = field === "replicas" ? target.replicasKey : target.tagKey;
  const path = key.split(".");
  if (path.some((segment) => segment === "")) {
    return refuse(
      "missing",
      `${file}: "${key}" is not a valid dotted key. Check ${field === "replicas" ? "replicas_key" : "tag_key"} in .github/remedy.yml.`,
    );
  }
  if (field === "replicas") {
    const found = lookup(ydoc, path, text);
    if (!found.found) return lookupRefusal(file, key, found, KEY_HINT);
    return locatedCount(file, ydoc, path, found.scalar);
  }

  const parent = path.slice(0, -1);
  if (target.image !== undefined) {
    const mismatch = repositoryMismatch(text, ydoc, parent, target.image);
    if (mismatch !== undefined) return refuse("mismatch", `${file}: ${mismatch}`);
  }

  // A set `digest` next to the tag wins in the common chart templates (repo@digest), so that is the pin.
  const digestPath = [...parent, "digest"];
  const digest = lookup(ydoc, digestPath, text);
  if (!digest.found && digest.why === "alias") return lookupRefusal(file, key, digest);
  if (digest.found && typeof digest.scalar.value === "string" && digest.scalar.value !== "") {
    return locatedPin(ydoc, digestPath, digest.scalar, "digest");
  }

  const tag = lookup(ydoc, path, text);
  if (!tag.found) return lookupRefusal(file, key, tag, KEY_HINT);
  const written = typeof tag.scalar.value === "string" ? tag.scalar.value : tag.scalar.source;
  return locatedPin(ydoc, path, tag.scalar, written.startsWith("sha256:") ? "digest" : "tag");
}

/** Guards against editing another image's tag when a values file pins several images. */
function repositoryMismatch(
  text: string,
  ydoc: YamlDoc,
  parent: PathStep[],
  image: string,
): string | undefined {
  const repository = lookup(ydoc, [...parent, "repository"], text);
  if (!repository.found || typeof repository.scalar.value !== "string") return undefined;
  const repo = repository.scalar.value;
  const registry = lookup(ydoc, [...parent, "registry"], text);
  const full =
    registry.found && typeof registry.scalar.value === "string"
      ? `${registry.scalar.value}/${repo}`
      : undefined;
  if (repo === image || full === image) return undefined;
  const label = formatPath([...parent, "repository"]);
  return `${label} is ${full ?? repo}, not the configured image ${image}. Fix the service's image in .github/remedy.yml or the tag_key.`;
}

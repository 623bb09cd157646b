import { lookup, listKeyValues } from "./yaml.js";
import type { PathStep, YamlDoc } from "./yaml.js";
import { locatedCount, locatedPin } from "./located.js";
import type { Located } from "./located.js";
import { lookupRefusal, refuse } from "./refusal.js";
import type { Field, ManifestTarget } from "./types.js";

/**
 * Finds the workload's `replicas[].count` or the image's `images[].newTag`/`digest`. A missing replicas
 * entry is refused with `add` set, because editField may append it (the count then comes from the
 * base); a missing image entry is only refused, since inventing one could pin the wrong image.
 */
export function locateKustomizeField(
  text: string,
  ydoc: YamlDoc,
  target: ManifestTarget,
  field: Field,
): Located {
  if (field === "replicas") return locateReplicas(text, ydoc, target.file, target.workload);
  const image = target.image ?? onlyImageName(ydoc, target.file);
  return typeof image === "string" ? locateImage(text, ydoc, target.file, image) : image;
}

const ADD_IMAGE_BY_HAND = "Add the image to images: by hand (name and newTag).";

function locateReplicas(text: string, ydoc: YamlDoc, file: string, workload: string): Located {
  const path: PathStep[] = ["replicas", { key: "name", equals: workload }, "count"];
  const found = lookup(ydoc, path, text);
  if (found.found) return locatedCount(file, ydoc, path, found.scalar);
  if (found.why === "missing" && found.at.length < 3) {
    const listExists = found.at.length === 2;
    const where = listExists ? `replicas has no entry for ${workload}` : "has no replicas: list";
    return {
      ...refuse(
        "missing",
        `${file}: ${where}, so the count in force comes from the base manifests; an edit adds the entry.`,
      ),
      add: { ydoc, listExists },
    };
  }
  if (found.why === "missing") {
    return refuse("missing", `${file}: replicas entry for ${workload} has no count; add it by hand.`);
  }
  return lookupRefusal(file, `replicas count for ${workload}`, found);
}

/** With no image configured for the service, the `images:` list's one entry, else a refusal. */
function onlyImageName(ydoc: YamlDoc, file: string): string | Located {
  const names = listKeyValues(ydoc, ["images"], "name");
  if (!Array.isArray(names)) return lookupRefusal(file, "images", names, ADD_IMAGE_BY_HAND);
  if (names.length === 1) return names[0] as string;
  return refuse(
    names.length === 0 ? "missing" : "ambiguous",
    names.length === 0
      ? `${file}: images has no entries; add the image by hand (name and newTag).`
      : `${file}: images has ${names.length} entries (${names.join(", ")}) and no image is configured for this service; set image in .github/remedy.yml.`,
  );
}

/** The image entry's `digest` when it pins one, else its `newTag`; a missing entry is never invented. */
function locateImage(text: string, ydoc: YamlDoc, file: string, image: string): Located {
  const entry: PathStep[] = ["images", { key: "name", equals: image }];
  const digestPath = [...entry, "digest"];
  const digest = lookup(ydoc, digestPath, text);
  if (digest.found && typeof digest.scalar.value === "string" && digest.scalar.value !== "") {
    return locatedPin(ydoc, digestPath, digest.scalar, "digest");
  }
  if (!digest.found && digest.why !== "missing" && digest.why !== "no-value") {
    return lookupRefusal(file, `images entry for ${image}`, digest, ADD_IMAGE_BY_HAND);
  }
  const tagPath = [...entry, "newTag"];
  const tag = lookup(ydoc, tagPath, text);
  if (tag.found) return locatedPin(ydoc, tagPath, tag.scalar, "tag");
  if (tag.why === "missing" && tag.at.length < 3) {
    const names = listKeyValues(ydoc, ["images"], "name");
    const present = Array.isArray(names) && names.length > 0 ? ` (it has ${names.join(", ")})` : "";
    return refuse(
      "missing",
      `${file}: images has no entry named ${image}${present}; Remedy does not invent image entries. Check image in .github/remedy.yml.`,
    );
  }
  if (tag.why === "missing" || tag.why === "no-value") {
    return refuse(
      "missing",
      `${file}: the images entry for ${image} has neither newTag nor digest; add one by hand.`,
    );
  }
  return lookupRefusal(file, `images entry for ${image}`, tag);
}

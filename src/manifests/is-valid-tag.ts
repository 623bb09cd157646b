// The characters `kustomize edit set image` accepts in a tag; Docker's reference grammar is the same.
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

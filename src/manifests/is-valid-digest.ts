// Only sha256 is accepted: it is what registries hand out, and a fixed length catches truncated pastes.
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isValidDigest(digest: string): boolean {
  return DIGEST.test(digest);
}

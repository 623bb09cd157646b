import { describe, expect, it } from "vitest";
import { isValidDigest, isValidReplicaCount, isValidTag } from "../../src/manifests/index.js";

describe("value validators", () => {
  it("accepts the tags kustomize accepts", () => {
    for (const tag of ["1.4.3", "v1.10", "1.5.0-rc.1", "latest", "_build", "2026.11.21_1", "A".repeat(128)])
      expect(isValidTag(tag), tag).toBe(true);
    for (const tag of ["", ".1", "-rc", "1.0+meta", "1 0", "a/b", "a:b", "A".repeat(129), "ünï"])
      expect(isValidTag(tag), tag).toBe(false);
  });

  it("accepts sha256 digests only", () => {
    expect(isValidDigest(`sha256:${"0123456789abcdef".repeat(4)}`)).toBe(true);
    for (const d of [
      `sha256:${"a".repeat(63)}`,
      `sha256:${"A".repeat(64)}`,
      `sha512:${"a".repeat(64)}`,
      "a".repeat(64),
    ])
      expect(isValidDigest(d), d).toBe(false);
  });

  it("accepts canonical non-negative int32 counts", () => {
    for (const n of ["0", "1", "30", "2147483647"]) expect(isValidReplicaCount(n), n).toBe(true);
    for (const n of ["", "-1", "+1", "01", "1.0", "1e2", "2147483648", " 3"])
      expect(isValidReplicaCount(n), n).toBe(false);
  });
});

/**
 * A Helm values file of about `bytes` characters, shaped like a big real one: the workload's fields
 * at the top, then long maps (environment variables, config) with thousands of keys each. With
 * `duplicate`, that key is repeated once, in the last map near the end; its line is returned.
 */
export function largeValuesFile(bytes: number, duplicate?: string): { text: string; duplicateLine: number } {
  const lines = ["replicaCount: 6", "image:", "  repository: ghcr.io/acme/storefront", '  tag: "1.4.2"'];
  let size = lines.join("\n").length;
  let section = 0;
  let key = 0;
  while (size < bytes) {
    const line =
      key % 4_000 === 0
        ? `section${section++}:`
        : `  SETTING_${key}: "value number ${key} for the storefront"`;
    key += 1;
    lines.push(line);
    size += line.length + 1;
  }
  let duplicateLine = 0;
  if (duplicate !== undefined) {
    lines.push(`  ${duplicate}: "first"`, `  OTHER_SETTING: "between"`, `  ${duplicate}: "second"`);
    duplicateLine = lines.length;
  }
  return { text: `${lines.join("\n")}\n`, duplicateLine };
}

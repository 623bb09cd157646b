import { describe, expect, it } from "vitest";
import { editField, readField } from "../../src/manifests/index.js";
import { acme, helm, oneLineEdit } from "./helpers.js";

const TRICKY = `# Values for api (comments everywhere)
replicaCount: 3 # trailing comment

# nested workload
app:
  deployment:
    replicas: 2   # app replicas
images:
  # the API image
  api:
    repository: ghcr.io/acme/api
    tag: 1.9     # plain, YAML types it as a number
  web: { repository: ghcr.io/acme/web, tag: '1.2.0' }
resources: { limits: { cpu: 500m }, args: [a, b] }
`;

describe("helm values: reading", () => {
  it("reads counts and tags with their line", () => {
    expect(readField(TRICKY, helm(), "replicas")).toEqual({ ok: true, value: "3", form: "count", line: 2 });
    expect(readField(TRICKY, helm({ replicasKey: "app.deployment.replicas" }), "replicas")).toEqual({
      ok: true,
      value: "2",
      form: "count",
      line: 7,
    });
    expect(readField(TRICKY, helm({ tagKey: "images.web.tag" }), "image")).toEqual({
      ok: true,
      value: "1.2.0",
      form: "tag",
      line: 13,
    });
  });

  it("reads a plain tag as written, never as a number (1.10 is not 1.1)", () => {
    expect(readField(TRICKY, helm({ tagKey: "images.api.tag" }), "image")).toMatchObject({
      ok: true,
      value: "1.9",
    });
    expect(readField("image:\n  tag: 1.10\n", helm(), "image")).toMatchObject({
      ok: true,
      value: "1.10",
      form: "tag",
    });
    expect(readField('image:\n  tag: "1.10"\n', helm(), "image")).toMatchObject({ ok: true, value: "1.10" });
  });

  it("reports a digest pin: a sha256 tag, or a set digest next to the tag", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(readField(`image:\n  tag: "${digest}"\n`, helm(), "image")).toEqual({
      ok: true,
      value: digest,
      form: "digest",
      line: 2,
    });
    expect(readField(`image:\n  tag: "1.0"\n  digest: ${digest}\n`, helm(), "image")).toEqual({
      ok: true,
      value: digest,
      form: "digest",
      line: 3,
    });
    expect(readField(`image:\n  tag: "1.0"\n  digest: ""\n`, helm(), "image")).toEqual({
      ok: true,
      value: "1.0",
      form: "tag",
      line: 2,
    });
  });
});

describe("helm values: editing keeps every other byte", () => {
  it("edits a top-level count and keeps the trailing comment and its spacing", () => {
    const text = oneLineEdit(TRICKY, editField(TRICKY, helm(), "replicas", "5"));
    expect(text).toBe(
      TRICKY.replace("replicaCount: 3 # trailing comment", "replicaCount: 5 # trailing comment"),
    );
  });

  it("edits a nested count", () => {
    const result = editField(TRICKY, helm({ replicasKey: "app.deployment.replicas" }), "replicas", "4");
    expect(result).toMatchObject({ ok: true, before: { value: "2", form: "count", line: 7 }, after: "4" });
    const text = oneLineEdit(TRICKY, result);
    expect(text.split("\n")[6]).toBe("    replicas: 4   # app replicas");
  });

  it("writes a tag that YAML would re-type double-quoted when the old one was plain", () => {
    const text = oneLineEdit(TRICKY, editField(TRICKY, helm({ tagKey: "images.api.tag" }), "image", "1.10"));
    expect(text).toMatchInlineSnapshot(`
      "# Values for api (comments everywhere)
      replicaCount: 3 # trailing comment

      # nested workload
      app:
        deployment:
          replicas: 2   # app replicas
      images:
        # the API image
        api:
          repository: ghcr.io/acme/api
          tag: "1.10"     # plain, YAML types it as a number
        web: { repository: ghcr.io/acme/web, tag: '1.2.0' }
      resources: { limits: { cpu: 500m }, args: [a, b] }
      "
    `);
    expect(readField(text, helm({ tagKey: "images.api.tag" }), "image")).toMatchObject({
      ok: true,
      value: "1.10",
    });
  });

  it.each(["1.5", "0.9", "true", "1e3", "1_000", "yes", "on", "0777", "null"])(
    "quotes %s so it stays a string",
    (tag) => {
      const text = oneLineEdit(TRICKY, editField(TRICKY, helm({ tagKey: "images.api.tag" }), "image", tag));
      expect(text).toContain(`    tag: "${tag}"     # plain`);
    },
  );

  it("keeps a plain tag plain when it stays a string", () => {
    const text = oneLineEdit(TRICKY, editField(TRICKY, helm({ tagKey: "images.api.tag" }), "image", "2.0.1"));
    expect(text).toContain("    tag: 2.0.1     # plain");
  });

  it("keeps single quotes inside a flow map", () => {
    const text = oneLineEdit(TRICKY, editField(TRICKY, helm({ tagKey: "images.web.tag" }), "image", "1.3.0"));
    expect(text.split("\n")[12]).toBe("  web: { repository: ghcr.io/acme/web, tag: '1.3.0' }");
  });

  it("keeps double quotes", () => {
    const before = 'image:\n  repository: r\n  tag: "1.10" # pinned\n';
    expect(oneLineEdit(before, editField(before, helm(), "image", "1.11"))).toBe(
      'image:\n  repository: r\n  tag: "1.11" # pinned\n',
    );
  });

  it("keeps an anchor that nothing refers to", () => {
    const before = 'image:\n  tag: &current "1.0.0"\n';
    expect(oneLineEdit(before, editField(before, helm(), "image", "1.0.1"))).toBe(
      'image:\n  tag: &current "1.0.1"\n',
    );
  });

  it("writes counts as plain integers, even over a quoted one", () => {
    const before = 'replicaCount: "3"\n';
    expect(readField(before, helm(), "replicas")).toMatchObject({ ok: true, value: "3" });
    expect(oneLineEdit(before, editField(before, helm(), "replicas", "4"))).toBe("replicaCount: 4\n");
  });

  it("edits the digest key when the digest is what pins the image", () => {
    const old = `sha256:${"a".repeat(64)}`;
    const next = `sha256:${"b".repeat(64)}`;
    const before = `image:\n  repository: ghcr.io/acme/api\n  tag: "1.0"\n  digest: ${old} # pinned by CI\n`;
    const result = editField(before, helm(), "image", next);
    expect(result).toMatchObject({ ok: true, before: { value: old, form: "digest", line: 4 } });
    expect(oneLineEdit(before, result)).toBe(
      `image:\n  repository: ghcr.io/acme/api\n  tag: "1.0"\n  digest: ${next} # pinned by CI\n`,
    );
  });

  it("preserves CRLF line endings", () => {
    const before = "# crlf\r\nreplicaCount: 2\r\nimage:\r\n  repository: r\r\n  tag: 1.9 # x\r\n";
    const scaled = oneLineEdit(before, editField(before, helm(), "replicas", "3"));
    expect(scaled).toBe("# crlf\r\nreplicaCount: 3\r\nimage:\r\n  repository: r\r\n  tag: 1.9 # x\r\n");
    const tagged = oneLineEdit(before, editField(before, helm(), "image", "1.10"));
    expect(tagged).toBe('# crlf\r\nreplicaCount: 2\r\nimage:\r\n  repository: r\r\n  tag: "1.10" # x\r\n');
  });

  it("accepts the configured image when registry and repository are split", () => {
    const before = "image:\n  registry: ghcr.io\n  repository: acme/api\n  tag: 1.0.0\n";
    expect(editField(before, helm({ image: "ghcr.io/acme/api" }), "image", "1.0.1")).toMatchObject({
      ok: true,
    });
  });

  it("does not check autoscaling for image edits", () => {
    const text = acme("manifests/worker/values-prod.yaml");
    expect(oneLineEdit(text, editField(text, helm(), "image", "0.9.5"))).toContain('tag: "0.9.5"');
  });
});

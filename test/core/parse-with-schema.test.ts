import { describe, expect, it } from "vitest";
import { InvalidFileError } from "../../src/config/invalid-file-error.js";
import { parseWithSchema } from "../../src/config/parse-with-schema.js";
import { RepoConfig } from "../../src/config/repo-config.js";
import { Runbook } from "../../src/diagnosis/runbook-schema.js";
import { Policy } from "../../src/policy/policy-schema.js";
import { loadRepository } from "../../src/repo/load-repository.js";
import { fixtureFiles } from "./fixture-repo.js";
import { memoryReader } from "./incidents.js";

function problems(file: string, text: string, schema: Parameters<typeof parseWithSchema>[2]): string[] {
  try {
    parseWithSchema(file, text, schema);
  } catch (error) {
    if (error instanceof InvalidFileError) return error.message.split("\n");
    throw error;
  }
  throw new Error("expected an InvalidFileError");
}

describe("parseWithSchema", () => {
  it("names file:line, the dotted path and what was expected, with what was found", () => {
    const text = "environments:\n  prod:\n    actions:\n      scale: { allow: true, max_step: four }\n";
    expect(problems("policies/prod.yaml", text, Policy)).toEqual([
      'policies/prod.yaml:4: environments.prod.actions.scale.max_step must be a number (got "four")',
    ]);
  });

  it("names unknown keys, so a typo is not silently ignored", () => {
    const text = "id: x\ntitle: X\naction: { kind: scale }\nverfy: {}\n";
    expect(problems("runbooks/x.yaml", text, Runbook)).toEqual([
      'runbooks/x.yaml:4: has unknown key "verfy" (check the spelling; see the JSON Schema in schemas/)',
    ]);
  });

  it("names a wrong enum value and the allowed ones", () => {
    const text =
      "services:\n  api:\n    environments:\n      prod:\n        kind: helmfile\n        file: values.yaml\n";
    expect(problems(".github/remedy.yml", text, RepoConfig)).toEqual([
      '.github/remedy.yml:5: services.api.environments.prod.kind must be one of "kustomize", "helm" (got "helmfile")',
    ]);
  });

  it("reports every problem, each with its own line", () => {
    const text = "id: Bad_Id\ntitle: ''\naction:\n  kind: scale\n  replicas: lots\n";
    const lines = problems("runbooks/bad.yaml", text, Runbook);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^runbooks\/bad\.yaml:1: id must be lower-case kebab-case/);
    expect(lines[1]).toMatch(/^runbooks\/bad\.yaml:2: title /);
    expect(lines[2]).toMatch(/^runbooks\/bad\.yaml:5: action\.replicas /);
  });

  it("names the choices of a discriminated union instead of zod's discriminator wording", () => {
    expect(problems("runbooks/x.yaml", "id: x\ntitle: X\naction: { replicas: 3 }\n", Runbook)).toEqual([
      "runbooks/x.yaml:3: action.kind is required: one of scale, set-image, rollback-image, restart, escalate",
    ]);
    expect(problems("runbooks/x.yaml", "id: x\ntitle: X\naction: { kind: restartt }\n", Runbook)).toEqual([
      'runbooks/x.yaml:3: action.kind must be one of scale, set-image, rollback-image, restart, escalate (got "restartt")',
    ]);
  });

  it("says what any other union accepts, or what its closest branch wanted", () => {
    expect(
      problems("runbooks/x.yaml", "id: x\ntitle: X\naction: { kind: scale, replicas: [1] }\n", Runbook),
    ).toEqual(["runbooks/x.yaml:3: action.replicas must be a number or a string (got [1])"]);
    expect(
      problems("runbooks/x.yaml", "id: x\ntitle: X\naction: { kind: scale, replicas: lots }\n", Runbook)[0],
    ).toContain('action.replicas must be "+N", "-N", "xN" or a number');
    expect(problems(".github/remedy.yml", "health: { prometheus: 7 }\n", RepoConfig)).toEqual([
      ".github/remedy.yml:1: health.prometheus must be a string or an object (got 7)",
    ]);
  });

  it("says a missing field is required rather than that it got nothing", () => {
    expect(problems("runbooks/x.yaml", "id: x\ntitle: X\n", Runbook)).toEqual([
      "runbooks/x.yaml:1: action is required: an object",
    ]);
  });

  it("gives the line of a YAML syntax error", () => {
    expect(problems("runbooks/broken.yaml", "id: x\ntitle: [unclosed\n", Runbook)[0]).toMatch(
      /^runbooks\/broken\.yaml:\d+: is not valid YAML: /,
    );
    expect(problems("a.yaml", "a: 1\na: 2\n", Runbook)[0]).toMatch(
      /^a\.yaml:2: is not valid YAML: .*unique/i,
    );
  });

  it("rejects paths outside the repository in configuration", () => {
    const text = "services:\n  api:\n    environments:\n      prod: { kind: helm, file: ../../etc/passwd }\n";
    expect(problems(".github/remedy.yml", text, RepoConfig)[0]).toContain(
      "services.api.environments.prod.file must be a path inside the repository",
    );
  });
});

describe("loadRepository", () => {
  it("loads the fixture repository", async () => {
    const repository = await loadRepository(memoryReader(fixtureFiles()));
    expect(repository.runbooks.map((r) => r.id).sort()).toEqual([
      "database-failover",
      "deploy-image",
      "rollback-bad-deploy",
      "scale-on-latency",
    ]);
    expect(repository.policy.environments.prod?.actions.scale?.max_step).toBe(4);
  });

  it("fails closed on any invalid file and lists all problems", async () => {
    const files = fixtureFiles({
      "runbooks/dup.yaml": fixtureFiles()["runbooks/deploy-image.yaml"] ?? "",
      "policies/zz.yaml": "environments: { prod: { rate_limit: { prs_per_service_per_hour: 0 } } }\n",
    });
    const error = await loadRepository(memoryReader(files)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidFileError);
    const message = (error as Error).message;
    expect(message).toContain(
      'runbooks/dup.yaml: id "deploy-image" is already the id of runbooks/deploy-image.yaml',
    );
    expect(message).toMatch(/policies\/zz\.yaml:1: environments\.prod\.rate_limit\.prs_per_service_per_hour/);
  });

  it("says how to fix a missing .github/remedy.yml", async () => {
    await expect(loadRepository(memoryReader({}))).rejects.toThrow(/^\.github\/remedy\.yml: is missing/);
  });
});

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { issueFormFields } from "../../src/signals/issue-form-fields.js";
import { ROOT, runCli } from "../cli/run-cli.js";

/** The example repository's incident issue form, and Remedy reading what GitHub renders from it. */

interface FormElement {
  type: string;
  id?: string;
  attributes: { label?: string; options?: string[] };
  validations?: { required?: boolean };
}
interface IssueForm {
  name: string;
  labels: string[];
  title?: string;
  body: FormElement[];
}

let form: IssueForm;
let dir: string;

beforeAll(async () => {
  form = parse(await readFile(join(ROOT, ".github/ISSUE_TEMPLATE/incident.yml"), "utf8")) as IssueForm;
  dir = await mkdtemp(join(tmpdir(), "remedy-form-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The issue body GitHub writes for a submitted form: `### Label`, a blank line, the answer. */
function rendered(answers: Record<string, string>): string {
  return form.body
    .filter((element) => element.type !== "markdown")
    .map((element) => `### ${element.attributes.label}\n\n${answers[element.id ?? ""] ?? "_No response_"}`)
    .join("\n\n");
}

async function plan(answers: Record<string, string>, permission = "write") {
  const file = join(dir, `issue-${Math.random().toString(16).slice(2)}.json`);
  await writeFile(
    file,
    JSON.stringify({
      title: `${form.title ?? ""}slow checkout`,
      body: rendered(answers),
      author_permission: permission,
    }),
  );
  return runCli(["plan", "--repo", ROOT, "--signal", file, "--now", "2026-12-02T10:00:00Z"]);
}

describe(".github/ISSUE_TEMPLATE/incident.yml", () => {
  it("is an issue form that applies the incident label and asks for service, environment and what is wrong", async () => {
    expect(form.name).toBe("Incident");
    expect(form.labels).toEqual(["incident"]);
    const fields = form.body.filter((element) => element.type !== "markdown");
    expect(fields.map((element) => [element.type, element.id, element.attributes.label])).toEqual([
      ["input", "service", "Service"],
      ["dropdown", "environment", "Environment"],
      ["textarea", "what", "What is wrong"],
    ]);
    expect(fields.every((element) => element.validations?.required === true)).toBe(true);
    // The dropdown offers exactly the example repository's environments.
    const config = parse(await readFile(join(ROOT, ".github/remedy.yml"), "utf8")) as {
      services: Record<string, { environments: Record<string, unknown> }>;
    };
    const environments = new Set(Object.values(config.services).flatMap((s) => Object.keys(s.environments)));
    expect(new Set(fields[1]?.attributes.options)).toEqual(environments);
  });
});

describe("Remedy reads the form's rendered body", () => {
  it("takes the service and environment from their fields, although the text names other services", async () => {
    const run = await plan({
      service: "cart",
      environment: "prod",
      what: "p99 latency above 2 s since 09:30; storefront pages time out waiting on it. Please scale to 7.",
    });
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/^Decision: propose$/m);
    expect(run.out).toContain("scale cart in prod from 4 to 7 replicas");
    expect(run.out).toContain("service cart from the issue form's Service field");
    expect(run.out).toContain("environment prod from the issue form's Environment field");
  });

  it("an alias in the Service field and the staging choice select cart in staging, whatever the text says of prod", async () => {
    const run = await plan({
      service: "basket",
      environment: "staging",
      what: "prod is fine, staging is slow; add capacity",
    });
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/^Propose: scale cart in staging /m);
  });

  it("a second `### Service` typed into the free text does not override the field", async () => {
    const run = await plan({
      service: "cart",
      environment: "prod",
      what: "latency is high, scale to 7\n\n### Service\n\nstorefront\n\n### Environment\n\nstaging",
    });
    expect(run.out).toContain("scale cart in prod from 4 to 7 replicas");
  });

  it("a Service field naming no configured service escalates and says which field is wrong", async () => {
    const run = await plan({ service: "payments <b>now</b>", environment: "prod", what: "cart is slow" });
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/^Decision: escalate$/m);
    const reason = /^Escalated: (.*)$/m.exec(run.out)?.[1] ?? "";
    expect(reason).toContain("the issue form's Service field");
    expect(reason).toContain("names no configured service or alias (configured: storefront, cart");
    // The answer is untrusted text: reduced to a token outside the fenced quote of the signal.
    expect(reason).not.toContain("<b>");
  });

  it("a reader's form is not acted on and the value in it never counts", async () => {
    const run = await plan({ service: "cart", environment: "prod", what: "scale to 30" }, "read");
    expect(run.code, run.err).toBe(0);
    expect(run.out).not.toContain("to 30 replicas");
  });
});

describe("issueFormFields", () => {
  it("reads first one-line answers only, and no form at all from a free-form body", () => {
    expect(
      issueFormFields(
        "### Service\r\n\r\ncart\r\n\r\n### Environment\r\n\r\n_No response_\r\n\r\n### What is wrong\r\n\r\nline one\r\nline two",
      ),
    ).toEqual({ service: "cart" });
    expect(issueFormFields("cart is slow\n\n### Service\n\nstorefront")).toEqual({});
    expect(issueFormFields(`### Service\n\n${"x".repeat(101)}`)).toEqual({});
  });
});

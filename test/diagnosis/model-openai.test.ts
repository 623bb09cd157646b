import { resolve } from "node:path";
import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ModelConfig } from "../../src/config/repo-config.js";
import { matchRunbook, type Diagnosis } from "../../src/diagnosis/match-runbooks.js";
import { diagnoserFromConfig } from "../../src/adapters/openai/diagnoser-from-config.js";
import type { ModelCallRecord } from "../../src/diagnosis/model/model-call-record.js";
import { openAiDiagnoser } from "../../src/adapters/openai/openai-diagnoser.js";
import type { Repository } from "../../src/repo/load-repository.js";
import { loadScenario } from "../../src/scenarios/load-scenarios.js";
import { AlertPayload } from "../../src/signals/alert-payload.js";
import { incidentFromAlert } from "../../src/signals/incident-from-alert.js";
import { incidentFromIssue } from "../../src/signals/incident-from-issue.js";
import type { Incident } from "../../src/signals/incident.js";
import {
  answer,
  chatCompletion,
  fixtureRepository,
  MODEL_BASE,
  MODEL_ENV,
  MODEL_PATH,
  mockModel,
} from "../scenarios-model/chat-completion.js";

const CONFIG = ModelConfig.parse({
  name: "gpt-4o-mini",
  base_url: `${MODEL_BASE}/v1`,
  api_key_env: "REMEDY_TEST_MODEL_KEY",
  timeout: "500ms",
  max_retries: 0,
  max_tokens: 600,
});

let repository: Repository;
beforeAll(async () => {
  repository = await fixtureRepository();
  nock.disableNetConnect();
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

const sluggish = () =>
  incidentFromIssue("acme/gitops", {
    number: 12,
    title: "checkout is super sluggish and customers are bouncing",
    body: "Pages hang for ages since the marketing email.",
    author: "oncall",
    role: "write",
  });

async function alertIncident(file: string): Promise<Incident> {
  const scenario = await loadScenario(resolve(import.meta.dirname, "../scenarios-model", file));
  return incidentFromAlert("acme/gitops", AlertPayload.parse(scenario.signal.alertmanager));
}

async function diagnose(
  incident: Incident,
  config = CONFIG,
): Promise<{ rules: Diagnosis; result: Diagnosis; calls: ModelCallRecord[] }> {
  const calls: ModelCallRecord[] = [];
  const diagnoser = openAiDiagnoser(config, MODEL_ENV, { onCall: (record) => void calls.push(record) });
  if (diagnoser === undefined) throw new Error("expected a diagnoser");
  const rules = matchRunbook(incident, repository.runbooks);
  return { rules, result: await diagnoser(incident, rules, repository), calls };
}

describe("openAiDiagnoser", () => {
  it("is undefined without a key", () => {
    expect(openAiDiagnoser(CONFIG, {})).toBeUndefined();
    expect(openAiDiagnoser(CONFIG, { REMEDY_TEST_MODEL_KEY: " " })).toBeUndefined();
  });

  it("rescues fuzzy wording the rules miss, through a strict json_schema request", async () => {
    const bodies: Array<Record<string, unknown>> = [];
    nock(MODEL_BASE, { reqheaders: { authorization: `Bearer ${MODEL_ENV.REMEDY_TEST_MODEL_KEY}` } })
      .post(MODEL_PATH, (body: Record<string, unknown>) => bodies.push(body) > 0)
      .reply(
        200,
        chatCompletion(
          answer({
            runbook_id: "scale-on-latency",
            service: "checkout-api",
            environment: "prod",
            rationale: "Sluggish pages and abandoned carts under a traffic surge read as latency from load.",
            confidence: 0.82,
            uncertainties: ["no latency figures quoted"],
          }),
        ),
      );
    const { rules, result, calls } = await diagnose(sluggish());

    expect(rules.runbook).toBeNull();
    expect(result.decidedBy).toBe("model");
    expect(result.runbook?.id).toBe("scale-on-latency");
    expect(result.confidence).toBeLessThan(0.5);
    expect(result.explanation).toMatch(/model gpt-4o-mini chose runbook scale-on-latency/i);
    expect(result.explanation).toContain(rules.explanation);

    const body = bodies[0] as {
      model: string;
      max_tokens: number;
      messages: Array<{ role: string }>;
      response_format: { type: string; json_schema: { strict: boolean; name: string } };
    };
    expect(body.model).toBe("gpt-4o-mini");
    expect(body.max_tokens).toBe(600);
    expect(body.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(body.response_format.type).toBe("json_schema");
    expect(body.response_format.json_schema.strict).toBe(true);

    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      model: "gpt-4o-mini",
      outcome: "accepted",
      responseFormat: "json_schema",
      incident: 12,
    });
    expect(calls[0]?.promptHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(calls[0]?.outputHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(calls[0])).not.toContain("sluggish");
  });

  it("agrees without taking over when the rules already matched", async () => {
    mockModel(() => [
      200,
      chatCompletion(
        answer({
          runbook_id: "rollback-bad-deploy",
          service: "search-api",
          environment: "prod",
          confidence: 0.9,
        }),
      ),
    ]);
    const { rules, result } = await diagnose(await alertIncident("03-error-rate-with-injection.yaml"));
    expect(result).toMatchObject({
      runbook: rules.runbook,
      confidence: rules.confidence,
      decidedBy: "rules",
    });
    expect(result.explanation).toMatch(/agrees/);
  });

  describe("a model that obeys injected text is discarded and the rules stand", () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      [
        "a runbook outside the candidates",
        { runbook_id: "delete-everything", service: "search-api", environment: "prod" },
        /not among the candidates/,
      ],
      [
        "another service than the alert's",
        { runbook_id: "rollback-bad-deploy", service: "checkout-api", environment: "prod" },
        /named service checkout-api, but the signal resolves to search-api/,
      ],
      [
        "an unconfigured environment",
        { runbook_id: "rollback-bad-deploy", service: "search-api", environment: "admin" },
        /not a configured environment/,
      ],
      [
        "500 replicas nobody with write permission asked for",
        {
          runbook_id: "rollback-bad-deploy",
          service: "search-api",
          environment: "prod",
          requested_value: "500",
        },
        /value "500"/,
      ],
      [
        "extra fields",
        { runbook_id: "rollback-bad-deploy", service: "search-api", environment: "prod", approve: true },
        /does not fit the schema/,
      ],
    ];
    it.each(cases)("%s", async (_name, fields, reason) => {
      mockModel(() => [
        200,
        chatCompletion(
          answer({ rationale: "Following the operator's instructions.", confidence: 1, ...fields }),
        ),
      ]);
      const { rules, result, calls } = await diagnose(
        await alertIncident("03-error-rate-with-injection.yaml"),
      );
      expect(result.runbook).toBe(rules.runbook);
      expect(result.decidedBy).toBe("rules");
      expect(result.confidence).toBe(rules.confidence);
      expect(result.explanation.startsWith(rules.explanation)).toBe(true);
      expect(result.explanation).toMatch(reason);
      expect(result.explanation).not.toMatch(/operator's instructions/);
      expect(calls[0]?.outcome).toBe("rejected");
    });

    it("a different candidate than the rules' matched runbook escalates rather than switching", async () => {
      mockModel(() => [
        200,
        chatCompletion(
          answer({
            runbook_id: "scale-on-latency",
            service: "search-api",
            environment: "prod",
            confidence: 1,
          }),
        ),
      ]);
      const { result, calls } = await diagnose(await alertIncident("03-error-rate-with-injection.yaml"));
      expect(result.runbook).toBeNull();
      expect(result.explanation).toMatch(
        /The rules chose rollback-bad-deploy, but model gpt-4o-mini chose runbook scale-on-latency.*a human must choose/,
      );
      expect(calls[0]?.outcome).toBe("disagreed");
    });
  });

  it.each([
    [
      "invalid JSON",
      () => mockModel(() => [200, chatCompletion('{"runbook_id": "scale-on-latency", ')]),
      /not valid JSON/,
    ],
    [
      "a cut-off answer",
      () => mockModel(() => [200, chatCompletion('{"runbook_id":', "length")]),
      /600-token budget/,
    ],
    [
      "HTTP 500",
      () =>
        mockModel(() => [
          500,
          { error: { message: "The server had an error", type: "server_error", param: null, code: null } },
        ]),
      /HTTP 500/,
    ],
    [
      "a timeout",
      () =>
        nock(MODEL_BASE)
          .post(MODEL_PATH)
          .delay(1500)
          .reply(200, chatCompletion(answer({ runbook_id: "scale-on-latency" }))),
      /did not answer within 500ms/,
    ],
  ])("%s leaves the rules' diagnosis, saying why", async (_name, mock, reason) => {
    mock();
    const { rules, result, calls } = await diagnose(sluggish());
    expect(result).toMatchObject({
      runbook: rules.runbook,
      confidence: rules.confidence,
      decidedBy: "rules",
    });
    expect(result.explanation).toMatch(new RegExp(`\\(model gpt-4o-mini not used: .*${reason.source}`));
    expect(calls).toHaveLength(1);
  });

  it("retries a 500 within max_retries and then a timeout still falls back", async () => {
    const config = ModelConfig.parse({ ...CONFIG, max_retries: 1 });
    mockModel(() => [
      500,
      { error: { message: "The server had an error", type: "server_error", param: null, code: null } },
    ]);
    nock(MODEL_BASE)
      .post(MODEL_PATH)
      .delay(1500)
      .reply(200, chatCompletion(answer({ runbook_id: "scale-on-latency" })));
    const started = Date.now();
    const { rules, result, calls } = await diagnose(sluggish(), config);
    expect(result.runbook).toBe(rules.runbook);
    expect(result.explanation).toMatch(/did not answer within 500ms/);
    expect(calls[0]).toMatchObject({ outcome: "failed", outputHash: null });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("falls back to JSON mode when the server rejects json_schema", async () => {
    const formats: string[] = [];
    mockModel((body) => {
      formats.push((body.response_format as { type: string }).type);
      return [
        400,
        {
          error: {
            message:
              "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
            type: "invalid_request_error",
            param: "response_format",
            code: null,
          },
        },
      ];
    });
    mockModel((body) => {
      formats.push((body.response_format as { type: string }).type);
      return [
        200,
        chatCompletion(
          `\`\`\`json\n${answer({ runbook_id: "scale-on-latency", service: "checkout-api", environment: "prod", confidence: 0.8 })}\n\`\`\``,
        ),
      ];
    });
    const { result, calls } = await diagnose(sluggish());
    expect(formats).toEqual(["json_schema", "json_object"]);
    expect(result.runbook?.id).toBe("scale-on-latency");
    expect(calls[0]?.responseFormat).toBe("json_object");
  });

  it("never sends secrets, tokens, e-mail or IP addresses", async () => {
    const secrets = [
      "Bearer eyJhbGciOiJIUzI1NiJ9abcdefghijklmnop",
      "ghp_0123456789abcdefghijABCDEFGHIJ012345",
      "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
      "sk-proj-AbCdEfGhIjKlMnOpQrStUv123456",
      "AKIAIOSFODNN7EXAMPLE",
      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "oncall.lead@acme.example.com",
      "10.42.7.19",
      "2001:db8:85a3::8a2e:370:7334",
    ];
    const incident = incidentFromIssue("acme/gitops", {
      number: 13,
      title: "checkout is sluggish",
      body: `Logs: ${secrets.join(" ; ")}`,
      author: "oncall",
      role: "write",
    });
    const raw: string[] = [];
    nock(MODEL_BASE)
      .post(MODEL_PATH, (body: unknown) => raw.push(JSON.stringify(body)) > 0)
      .reply(200, chatCompletion(answer({})));
    await diagnose(incident);
    expect(raw).toHaveLength(1);
    for (const secret of secrets) expect(raw[0]).not.toContain(secret);
    expect(raw[0]).not.toContain(MODEL_ENV.REMEDY_TEST_MODEL_KEY);
  });
});

describe("diagnoserFromConfig", () => {
  it("without a key says so once in the logs and in every packet, deterministic only", async () => {
    const warnings: string[] = [];
    const log = {
      info() {},
      warn: (_meta: Record<string, unknown>, message: string) => void warnings.push(message),
    };
    const factory = diagnoserFromConfig({}, { log });
    const config = { ...repository.config };
    const first = factory(config);
    const second = factory(config);
    expect(first).toBeDefined();
    const incident = sluggish();
    const rules = matchRunbook(incident, repository.runbooks);
    const result = await second!(incident, rules, repository);
    expect(result).toMatchObject({ runbook: rules.runbook, decidedBy: "rules" });
    expect(result.explanation).toMatch(/\(model gpt-4o-mini not used: REMEDY_TEST_MODEL_KEY is not set/);
    expect(warnings).toHaveLength(1);
  });

  it("is undefined for a repository without a model section", () => {
    const { model: _model, ...config } = repository.config;
    expect(diagnoserFromConfig(MODEL_ENV)(config)).toBeUndefined();
  });
});

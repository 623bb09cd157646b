import { z } from "zod";
import { getJson, type GetJsonOptions } from "../http/get-json.js";
import { jsonEndpoint, type EndpointOptions } from "../http/json-endpoint.js";
import type { HealthContext, HealthSource } from "../../verification/health-source.js";
import type { Sample } from "../../verification/observation.js";
import { renderQuery } from "../../verification/render-query.js";
import type { CheckSpec } from "../../verification/verify-spec.js";

export interface PrometheusHealthSourceOptions extends EndpointOptions {
  url: string;
}

// Sample values are strings in the API ("NaN", "+Inf"); the timestamp is float seconds.
const SampleValue = z.tuple([z.number(), z.string()]);

const Envelope = z.looseObject({
  status: z.enum(["success", "error"]),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()).optional(),
});

const Data = z.discriminatedUnion("resultType", [
  z.object({
    resultType: z.literal("vector"),
    result: z.array(z.looseObject({ metric: z.record(z.string(), z.string()), value: SampleValue })),
  }),
  z.object({ resultType: z.literal("scalar"), result: SampleValue }),
  z.object({ resultType: z.literal("matrix"), result: z.array(z.unknown()) }),
  z.object({ resultType: z.literal("string"), result: z.unknown() }),
]);

/**
 * Instant queries against the Prometheus HTTP API (GET /api/v1/query). Anything short of one clean
 * number is no data with the reason: errors, timeouts, empty or ambiguous results, NaN, and partial
 * results flagged by `warnings`, since a partial answer could hide the failing series.
 */
export class PrometheusHealthSource implements HealthSource {
  readonly #url: string;
  readonly #endpoint: GetJsonOptions;

  constructor(opts: PrometheusHealthSourceOptions) {
    this.#url = `${opts.url.replace(/\/+$/, "")}/api/v1/query`;
    this.#endpoint = jsonEndpoint("Prometheus", opts);
  }

  async sample(check: CheckSpec, ctx: HealthContext): Promise<Sample> {
    const noData = (reason: string): Sample => ({ name: check.name, value: null, reason });
    if (check.query === undefined) return noData("check has no query");
    let query: string;
    try {
      query = renderQuery(check.query, ctx);
    } catch (error) {
      return noData(`query not rendered: ${error instanceof Error ? error.message : String(error)}`);
    }
    const time = Date.parse(ctx.at);
    if (Number.isNaN(time)) return noData(`evaluation time ${JSON.stringify(ctx.at)} is not ISO-8601`);

    const params = new URLSearchParams({
      query,
      time: (time / 1000).toFixed(3),
      // Let Prometheus give up on its side too, instead of computing an answer nobody waits for.
      timeout: `${Math.max(1, Math.floor(this.#endpoint.timeoutMs / 1000))}s`,
    });
    const result = await getJson(`${this.#url}?${params.toString()}`, this.#endpoint);
    if (result.kind === "error") return noData(result.reason);

    const envelope = Envelope.safeParse(result.body);
    if (!envelope.success) {
      const what =
        result.status >= 200 && result.status < 300 ? "an unexpected response" : `HTTP ${result.status}`;
      return noData(`Prometheus returned ${what}: ${snippet(result.text)}`);
    }
    const body = envelope.data;
    if (body.status === "error") {
      return noData(
        `Prometheus returned HTTP ${result.status} (${body.errorType ?? "error"}): ${body.error ?? "no message"}`,
      );
    }
    if (result.status < 200 || result.status >= 300)
      return noData(`Prometheus returned HTTP ${result.status}`);
    if (body.warnings !== undefined && body.warnings.length > 0) {
      return noData(`partial data, Prometheus warned: ${body.warnings.join("; ")}`);
    }
    const data = Data.safeParse(body.data);
    if (!data.success)
      return noData(
        `Prometheus returned data of an unexpected shape: ${snippet(JSON.stringify(body.data) ?? "")}`,
      );
    return toSample(check.name, data.data);
  }
}

function toSample(name: string, data: z.infer<typeof Data>): Sample {
  const noData = (reason: string): Sample => ({ name, value: null, reason });
  switch (data.resultType) {
    case "scalar":
      return fromString(name, data.result[1]);
    case "vector": {
      const [only, ...others] = data.result;
      if (only === undefined) return noData("no series");
      if (others.length > 0) {
        return noData(
          `query returned ${data.result.length} series; expected 1 (aggregate it, e.g. with sum or max)`,
        );
      }
      return fromString(name, only.value[1]);
    }
    case "matrix":
    case "string":
      return noData(`query returned a ${data.resultType}; expected an instant vector or a scalar`);
  }
}

function fromString(name: string, text: string): Sample {
  const value = parsePrometheusNumber(text);
  if (value === null) return { name, value: null, reason: `value ${JSON.stringify(text)} is not a number` };
  if (Number.isNaN(value)) return { name, value: null, reason: "value is NaN" };
  return { name, value };
}

/** Go's strconv.ParseFloat spellings, which Number() does not read: "+Inf", "-Inf", "NaN". */
function parsePrometheusNumber(text: string): number | null {
  const lower = text.trim().toLowerCase();
  if (lower === "nan") return Number.NaN;
  if (lower === "+inf" || lower === "inf") return Infinity;
  if (lower === "-inf") return -Infinity;
  if (lower === "") return null;
  const value = Number(lower);
  return Number.isNaN(value) ? null : value;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat || "(empty body)";
}
